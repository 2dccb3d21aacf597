/** Suite `mysql`: EverTask on MySQL/MariaDB next to pg-boss on PostgreSQL, in one run (see mysql-suite.ts). */
import type { Report } from '../lib/report.js';
import { runPeerSuite } from './postgres.js';

export function runMySql(report: Report, runs: number): Promise<void> {
  return runPeerSuite(report, runs, {
    name: 'mysql',
    rows: async () => (await import('./mysql-suite.js')).mySqlRows,
    main: new URL('./mysql-main.ts', import.meta.url),
  });
}
