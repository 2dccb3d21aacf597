/**
 * Suite `monitor`: the monitor's list pages, counts, overview, queue metrics and statistics over
 * `BENCH_MONITOR_TASKS` (default 1,000,000) stored tasks, on SQLite (a temporary file, removed
 * after), PostgreSQL (a schema of this process, dropped after) and MySQL/MariaDB (a database of
 * this process, dropped after; only with `BENCH_MONITOR_BACKENDS=…,mysql`). The tasks are generated in the
 * database in one statement (see monitor/dataset.ts); PostgreSQL then runs `VACUUM ANALYZE` and
 * MySQL `ANALYZE TABLE`, as their background statistics would soon after such a load. Each route: median of 5 requests (monitor/measure.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { SqliteStorage } from '@evertask/sqlite';
import { PostgresStorage } from '@evertask/postgres';
import { MySqlStorage } from '@evertask/mysql';
import type { Report } from '../lib/report.js';
import { datasetSize, mysqlFill, postgresFill, sqliteFill } from '../monitor/dataset.js';
import { timeMonitorRoutes } from '../monitor/measure.js';

const PG_URL = process.env.EVERTASK_BENCH_PG_URL ?? process.env.EVERTASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_URL = process.env.EVERTASK_BENCH_MYSQL_URL ?? process.env.EVERTASK_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

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

async function onMySql(report: Report, n: number): Promise<void> {
  const database = `evertask_bench_monitor_${process.pid}`;
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  const uri = new URL(MYSQL_URL);
  uri.pathname = `/${database}`;
  const storage = new MySqlStorage({ uri: uri.toString() });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.query(`CREATE DATABASE \`${database}\``);
    await storage.open();
    const started = performance.now();
    await admin.query(mysqlFill(`\`${database}\`.evertask_tasks`, n, Date.now()));
    await admin.query(`ANALYZE TABLE \`${database}\`.evertask_tasks`);
    console.log(`  MySQL: ${n.toLocaleString('en-US')} tasks inserted (one INSERT … SELECT) and analyzed in ${seconds(started)} s`);
    await timeMonitorRoutes(report, 'evertask (MySqlStorage)', storage, n);
  } finally {
    await storage.close();
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  }
}

/** The backends to run (`BENCH_MONITOR_BACKENDS`, default `sqlite,postgres`; add `mysql` for MySQL/MariaDB). */
const BACKENDS = { sqlite: onSqlite, postgres: onPostgres, mysql: onMySql } as const;

export async function runMonitor(report: Report): Promise<void> {
  const n = datasetSize();
  const names = (process.env.BENCH_MONITOR_BACKENDS ?? 'sqlite,postgres').split(',').map((name) => name.trim());
  for (const name of names) {
    const run = BACKENDS[name as keyof typeof BACKENDS];
    if (run === undefined) throw new Error(`BENCH_MONITOR_BACKENDS: unknown backend "${name}"; choose from ${Object.keys(BACKENDS).join(', ')}`);
    await run(report, n);
  }
}
