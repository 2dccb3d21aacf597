/**
 * The peer libraries of the postgres suite (pg-boss, graphile-worker) and of the redis suite
 * (BullMQ, with the ioredis it runs on), kept out of the workspace: the current releases of the
 * first two need Node ≥ 22, and installing them with the project would make every `npm ci` on
 * Node 20 warn (EBADENGINE). They live in a bench-local prefix, `bench/peers/`,
 * installed on demand (`npm run bench:install`, or by the suite on its first run), and are loaded
 * from there. Only the parts of their APIs the suite uses are typed here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PEERS_DIR = fileURLToPath(new URL('../peers/', import.meta.url));
const PEER_NAMES = ['pg-boss', 'graphile-worker', 'bullmq', 'ioredis'] as const;
type PeerName = (typeof PEER_NAMES)[number];

export interface PgBossJob<T> {
  data: T;
}

export interface PgBossInstance {
  on(event: 'error', listener: (error: Error) => void): unknown;
  start(): Promise<unknown>;
  stop(options: { graceful: boolean }): Promise<void>;
  createQueue(name: string, options: { notify: boolean }): Promise<unknown>;
  insert(name: string, jobs: { data: object }[]): Promise<unknown>;
  send(name: string, data: object): Promise<unknown>;
  work<T>(name: string, options: { batchSize: number; burstWhenBatchFull: boolean; pollingIntervalSeconds: number }, handler: (jobs: PgBossJob<T>[]) => Promise<void>): Promise<unknown>;
}

export interface PgBossModule {
  PgBoss: new (options: { connectionString: string; schema: string; max: number; useListenNotify: boolean }) => PgBossInstance;
}

export interface GraphileWorkerUtils {
  migrate(): Promise<void>;
  addJob(identifier: string, payload: object): Promise<unknown>;
  addJobs(jobs: { identifier: string; payload: object }[]): Promise<unknown>;
  release(): Promise<void>;
}

export interface GraphileRunner {
  stop(): Promise<void>;
}

type GraphileLogFunction = (level: string, message: string) => void;

export interface GraphileWorkerModule {
  Logger: new (factory: () => GraphileLogFunction) => object;
  makeWorkerUtils(options: { connectionString: string; schema: string; logger: object; maxPoolSize: number }): Promise<GraphileWorkerUtils>;
  run(options: {
    connectionString: string;
    schema: string;
    logger: object;
    concurrency: number;
    maxPoolSize: number;
    noHandleSignals: boolean;
    taskList: Record<string, (payload: unknown) => Promise<void>>;
  }): Promise<GraphileRunner>;
}

/** A Redis server BullMQ connects to. */
export interface BullConnection {
  host: string;
  port: number;
}

export interface BullQueue {
  addBulk(jobs: { name: string; data: object }[]): Promise<unknown>;
  add(name: string, data: object): Promise<unknown>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

export interface BullWorker {
  on(event: 'error' | 'failed', listener: (...args: unknown[]) => void): unknown;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

export interface BullMQModule {
  Queue: new (name: string, options: { connection: BullConnection }) => BullQueue;
  Worker: new (
    name: string,
    processor: (job: { data: { i: number } }) => Promise<void>,
    options: { connection: BullConnection; concurrency: number },
  ) => BullWorker;
}

const resolveFromPeers = createRequire(join(PEERS_DIR, 'package.json'));

function packageRoot(name: PeerName): string {
  return join(PEERS_DIR, 'node_modules', name);
}

/** True when every peer library is installed in `bench/peers/`. */
export function peersInstalled(): boolean {
  return PEER_NAMES.every((name) => existsSync(join(packageRoot(name), 'package.json')));
}

/** Installs the peer libraries into `bench/peers/` (exactly the lock file's versions when there is one). */
export function installPeers(): void {
  const locked = existsSync(join(PEERS_DIR, 'package-lock.json'));
  execFileSync('npm', [locked ? 'ci' : 'install', '--prefix', PEERS_DIR, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
}

/** The installed version of a peer library. */
export function peerVersion(name: PeerName): string {
  return (JSON.parse(readFileSync(join(packageRoot(name), 'package.json'), 'utf8')) as { version: string }).version;
}

async function load<T>(name: PeerName): Promise<T> {
  if (!peersInstalled()) throw new Error(`${name} is not installed in ${PEERS_DIR}: run \`npm run bench:install\` first.`);
  return (await import(pathToFileURL(resolveFromPeers.resolve(name)).href)) as T;
}

/** BullMQ from `bench/peers/` (its CommonJS build, required: it has no export map for import()). */
export function loadBullMQ(): BullMQModule {
  if (!peersInstalled()) throw new Error(`bullmq is not installed in ${PEERS_DIR}: run \`npm run bench:install\` first.`);
  return resolveFromPeers('bullmq') as BullMQModule;
}

export const loadPgBoss = () => load<PgBossModule>('pg-boss');
export const loadGraphileWorker = () => load<GraphileWorkerModule>('graphile-worker');
