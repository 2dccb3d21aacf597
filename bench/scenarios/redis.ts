/**
 * Suite `redis`: EverTask on Redis next to BullMQ 6.7.0 (see redis-suite.ts), on a redis-server
 * the suite starts for the run. BullMQ is not a dependency of the workspace: it is installed on
 * demand into `bench/peers/` (see lib/peer-libraries.ts). It runs on Node 20, so no re-execution.
 */
import type { Report } from '../lib/report.js';
import { PEERS_DIR, installPeers, peersInstalled } from '../lib/peer-libraries.js';

export async function runRedis(report: Report, runs: number): Promise<void> {
  if (!peersInstalled()) {
    console.log(`Installing the peer libraries into ${PEERS_DIR} (once; \`npm run bench:install\` does the same)`);
    installPeers();
  }
  const { redisRows } = await import('./redis-suite.js');
  for (const row of await redisRows(runs, (line) => console.log(line))) report.add(row);
}
