/** Suite `kysely`: KyselyStorage next to the hand-tuned adapter on PostgreSQL, MySQL/MariaDB and SQLite (see kysely-suite.ts). */
import type { Report } from '../lib/report.js';
import { kyselyRows } from './kysely-suite.js';

export async function runKysely(report: Report, runs: number): Promise<void> {
  for (const row of await kyselyRows(runs, (line) => console.log(line))) report.add(row);
}
