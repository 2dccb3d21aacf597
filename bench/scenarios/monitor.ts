/**
 * Suite `monitor`: the monitor's list pages, counts, overview, queue metrics and statistics over
 * `BENCH_MONITOR_TASKS` (default 1,000,000) stored tasks, on SQLite (a temporary file, removed
 * after) and PostgreSQL (a schema of this process, dropped after). The tasks are generated in the
 * database in one statement (see monitor/dataset.ts); PostgreSQL then runs `VACUUM ANALYZE`, as
 * autovacuum would soon after such a load. Each route: median of 5 requests (monitor/measure.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SqliteStorage } from '@evertask/sqlite';
import { PostgresStorage } from '@evertask/postgres';
import type { Report } from '../lib/report.js';
import { datasetSize, postgresFill, sqliteFill } from '../monitor/dataset.js';
import { timeMonitorRoutes } from '../monitor/measure.js';

const PG_URL = process.env.EVERTASK_BENCH_PG_URL ?? process.env.EVERTASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

async function onSqlite(report: Report, n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'evertask-bench-monitor-'));
  const database = new Database(join(dir, 'monitor.db'));
  const storage = new SqliteStorage({ database });
  try {
    await storage.open();
    const started = performance.now();
    database.transaction(() => database.exec(sqliteFill('evertask_tasks', n, Date.now())))();
    console.log(`  SQLite: ${n.toLocaleString('en-US')} tasks inserted in ${seconds(started)} s (one transaction)`);
    await timeMonitorRoutes(report, 'evertask (SqliteStorage)', storage, n);
  } finally {
    await storage.close();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onPostgres(report: Report, n: number): Promise<void> {
  const schema = `evertask_bench_monitor_${process.pid}`;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  const storage = new PostgresStorage({ connectionString: PG_URL, schema });
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await storage.open();
    const started = performance.now();
    await admin.query(postgresFill(`"${schema}".tasks`, n, Date.now()));
    await admin.query(`VACUUM ANALYZE "${schema}".tasks`);
    console.log(`  PostgreSQL: ${n.toLocaleString('en-US')} tasks inserted (generate_series) and vacuumed in ${seconds(started)} s`);
    await timeMonitorRoutes(report, 'evertask (PostgresStorage)', storage, n);
  } finally {
    await storage.close();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

export async function runMonitor(report: Report): Promise<void> {
  const n = datasetSize();
  await onSqlite(report, n);
  await onPostgres(report, n);
}
