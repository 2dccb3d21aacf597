/**
 * The MySQL comparison: the workload of the postgres suite (lib/evertask-workload.ts) on
 * EverTask's MySqlStorage (local MariaDB or MySQL, database `bench_evertask`, dropped and created
 * again before every phase) and, in the same run as the reference the target is set against
 * (issue 10: a MySQL drain at least 2× pg-boss's), pg-boss on PostgreSQL. Both pools hold 20
 * connections; every handler is `async`.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MySqlStorage } from '@evertask/mysql';
import { median } from '../lib/stats.js';
import type { Row } from '../lib/report.js';
import { POOL, everTaskPeer, runPeersOnce, scenarioNames, type EverTaskBackend, type Peer, type Results } from '../lib/evertask-workload.js';
import { loadPgBoss } from '../lib/peer-libraries.js';
import { PG_URL, pgBossPeer } from './postgres-suite.js';

export const MYSQL_URL = process.env.EVERTASK_BENCH_MYSQL_URL ?? process.env.EVERTASK_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const DATABASE = 'bench_evertask';

const S = scenarioNames('mysql');

function databaseUri(database: string): string {
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function countOf(admin: mysql.Connection, sql: string): Promise<number> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(sql);
  return Number(rows[0]?.n);
}

/** EverTask's MySqlStorage on database `bench_evertask`. */
function mySqlBackend(admin: mysql.Connection): EverTaskBackend {
  const tasks = `\`${DATABASE}\`.evertask_tasks`;
  return {
    library: 'evertask (MySqlStorage)',
    reset: async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
      await admin.query(`CREATE DATABASE \`${DATABASE}\``);
    },
    storage: () => new MySqlStorage({ uri: databaseUri(DATABASE), connectionLimit: POOL }),
    countAll: () => countOf(admin, `SELECT COUNT(*) AS n FROM ${tasks}`),
    countUnfinished: () => countOf(admin, `SELECT COUNT(*) AS n FROM ${tasks} WHERE status <> 'completed'`),
  };
}

/** Runs the comparison `runs` times (alternating the library order) and returns the median rows. */
export async function mySqlRows(runs: number, log: (line: string) => void): Promise<Row[]> {
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  const pgAdmin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  pgAdmin.on('error', () => undefined);
  const [versionRows] = await admin.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v, @@innodb_flush_log_at_trx_commit AS flush');
  log(`MySQL/MariaDB ${versionRows[0]?.v} (innodb_flush_log_at_trx_commit ${versionRows[0]?.flush}) at ${MYSQL_URL.replace(/:[^:@/]*@/, ':***@')}; pg-boss on ${PG_URL.replace(/:[^:@/]*@/, ':***@')}; Node ${process.version}`);
  const backend = mySqlBackend(admin);
  const ours = everTaskPeer(backend, log);
  const boss = pgBossPeer(await loadPgBoss(), pgAdmin);
  const peers: Peer[] = [ours, boss];
  const results = new Map<string, Results[]>(peers.map((p) => [p.library, []]));
  const drainFull: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      await runPeersOnce(peers, r, results, log);
      drainFull.push(await ours.drainFull());
      const mine = results.get(ours.library)?.at(-1)?.drain ?? 0;
      const theirs = results.get(boss.library)?.at(-1)?.drain ?? 0;
      log(`  run ${r + 1}: evertask (MySqlStorage) drain with audit full ${Math.round(drainFull.at(-1) as number)}/s; drain (audit none) ÷ pg-boss drain = ${(mine / theirs).toFixed(2)}×`);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``).catch(() => undefined);
    await admin.end();
    await pgAdmin.query('DROP SCHEMA IF EXISTS bench_pgboss CASCADE').catch(() => undefined);
    await pgAdmin.end();
  }
  const rows: Row[] = [];
  const add = (scenario: string, library: string, metric: string, unit: string, values: number[]) =>
    rows.push({ scenario, library, metric, unit, value: median(values), runs: values });
  const of = (peer: Peer, pick: (x: Results) => number) => (results.get(peer.library) as Results[]).map(pick);
  for (const [scenario, pick] of [
    [S.bulk, (x: Results) => x.bulk],
    [S.single, (x: Results) => x.single],
    [S.drain, (x: Results) => x.drain],
  ] as const) {
    add(scenario, ours.library, 'throughput', 'tasks/s', of(ours, pick));
    add(scenario, `${boss.library}, PostgreSQL`, 'throughput', 'tasks/s', of(boss, pick));
    if (scenario === S.bulk) add(scenario, 'evertask (enqueue only: delay 1m)', 'throughput', 'tasks/s', of(ours, (x) => x.bulkOnly ?? 0));
    if (scenario === S.single) add(scenario, 'evertask (enqueue only: delay 1m)', 'throughput', 'tasks/s', of(ours, (x) => x.singleOnly ?? 0));
  }
  add(S.drainFull, 'evertask (MySqlStorage, audit full)', 'throughput', 'tasks/s', drainFull);
  add(S.drainFull, `${boss.library}, PostgreSQL`, 'throughput', 'tasks/s', of(boss, (x) => x.drain));
  for (const metric of ['p50', 'p95', 'p99'] as const) {
    for (const peer of peers) add(S.latency, peer === boss ? `${boss.library}, PostgreSQL` : peer.library, metric, 'ms', of(peer, (x) => x.latency[metric]));
  }
  return rows;
}
