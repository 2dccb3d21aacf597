/**
 * Suite `postgres`: EverTask on PostgreSQL next to pg-boss and graphile-worker (see postgres-suite.ts),
 * and what every suite that runs a peer shares (the mysql suite runs pg-boss). The peers' current
 * releases need Node ≥ 22.18 (graphile-worker 0.18) and ≥ 22.12 (pg-boss 12). On an older Node the suite re-executes itself, ours included, on Node 22 taken from the npm
 * registry's `node` package (`npx -y node@22.23.3`), so every library runs on the same runtime.
 * The peers are not dependencies of the workspace: they are installed on demand into
 * `bench/peers/` (see lib/peer-libraries.ts).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Report, Row } from '../lib/report.js';
import { PEERS_DIR, installPeers, peersInstalled } from '../lib/peer-libraries.js';

export const NODE_FOR_PEERS = '22.23.3';
export const ROW_MARKER = '@@evertask-bench-row@@';

function nodeIsRecentEnough(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 18);
}

/** A suite that needs the peers: its rows function, and its entry file for the Node 22 child. */
export interface PeerSuite {
  name: string;
  rows(): Promise<(runs: number, log: (line: string) => void) => Promise<Row[]>>;
  /** The child's entry (prints progress, then the rows after `ROW_MARKER`). */
  main: URL;
}

/** Runs `suite` here on a recent enough Node, otherwise in a child on Node `NODE_FOR_PEERS`. */
export async function runPeerSuite(report: Report, runs: number, suite: PeerSuite): Promise<void> {
  if (!peersInstalled()) {
    console.log(`Installing the peer libraries into ${PEERS_DIR} (once; \`npm run bench:install\` does the same)`);
    installPeers();
  }
  if (nodeIsRecentEnough()) {
    const rowsOf = await suite.rows();
    for (const row of await rowsOf(runs, (line) => console.log(line))) report.add(row);
    return;
  }
  console.log(`Node ${process.version} is older than the peers need: running the ${suite.name} suite on Node ${NODE_FOR_PEERS} (npx -y node@${NODE_FOR_PEERS})`);
  const main = fileURLToPath(suite.main);
  const child = spawn(
    'npx',
    ['-y', `node@${NODE_FOR_PEERS}`, '--conditions=evertask-source', '--import', 'tsx', main, '--runs', String(runs)],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const rows: Row[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (line.startsWith(ROW_MARKER)) rows.push(JSON.parse(line.slice(ROW_MARKER.length)) as Row);
    else console.log(line);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`the ${suite.name} suite on Node ${NODE_FOR_PEERS} exited with ${code}`);
  for (const row of rows) report.add(row);
}

export function runPostgres(report: Report, runs: number): Promise<void> {
  return runPeerSuite(report, runs, {
    name: 'postgres',
    rows: async () => (await import('./postgres-suite.js')).postgresRows,
    main: new URL('./postgres-main.ts', import.meta.url),
  });
}

/** Prints the rows of a suite's child process (its `-main.ts` entry). */
export async function printSuiteRows(rowsOf: (runs: number, log: (line: string) => void) => Promise<Row[]>): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  const rows = await rowsOf(Number(values.runs), (line) => console.log(line));
  for (const row of rows) process.stdout.write(`${ROW_MARKER}${JSON.stringify(row)}\n`);
}
