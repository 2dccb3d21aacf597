import mysql from 'mysql2/promise';
import pg from 'pg';
import { defineTask, EverTask, MemoryStorage, silentLogger, type TaskStorage } from 'evertask';
import { MySqlStorage } from '@evertask/mysql';
import { PostgresStorage } from '@evertask/postgres';
import { RedisStorage } from '@evertask/redis';
import { Redis } from 'ioredis';
import { median } from '../lib/stats.js';
import type { Report } from '../lib/report.js';

/**
 * Suite `ratelimit`: the cost of the rate-limit gate. `TASKS` no-op tasks are dispatched in bulk
 * and run to completion, once without a rate limit and once under one whose budget is far above
 * the load (10⁹ starts per second over 16 keys, so no task ever waits): the difference is the
 * price of one acquisition per task — in memory, and on PostgreSQL, where acquisitions of one
 * tick go out as one `rate_limit_acquire` call, on MySQL/MariaDB, where they are one `CALL` of
 * the `rate_limit_acquire` procedure, and on Redis, where they are one Lua script.
 *
 * Knobs (environment): BENCH_RATELIMIT_TASKS (default 20000), BENCH_RATELIMIT_PG_TASKS (10000),
 * BENCH_RATELIMIT_MYSQL_TASKS (10000), EVERTASK_BENCH_MYSQL_URL (mysql://root@127.0.0.1:3306/test;
 * the suite creates and drops its own database on that server), BENCH_RATELIMIT_REDIS_TASKS
 * (10000), EVERTASK_BENCH_REDIS_URL (redis://127.0.0.1:6379; the suite deletes only the keys of its
 * own prefix), BENCH_RATELIMIT_STORES (the rows to run, comma-separated from memory, postgres,
 * mysql, redis; default all).
 */
const TASKS = Number(process.env.BENCH_RATELIMIT_TASKS ?? 20_000);
const PG_TASKS = Number(process.env.BENCH_RATELIMIT_PG_TASKS ?? 10_000);
const PG_URL = process.env.EVERTASK_BENCH_PG_URL ?? process.env.EVERTASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `evertask_bench_ratelimit_${process.pid}`;
const MYSQL_TASKS = Number(process.env.BENCH_RATELIMIT_MYSQL_TASKS ?? 10_000);
const MYSQL_URL = process.env.EVERTASK_BENCH_MYSQL_URL ?? process.env.EVERTASK_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const MYSQL_DATABASE = `evertask_bench_ratelimit_${process.pid}`;
const REDIS_TASKS = Number(process.env.BENCH_RATELIMIT_REDIS_TASKS ?? 10_000);
const REDIS_URL = process.env.EVERTASK_BENCH_REDIS_URL ?? process.env.EVERTASK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `evertask-bench-ratelimit-${process.pid}`;
const STORES = new Set((process.env.BENCH_RATELIMIT_STORES ?? 'memory,postgres,mysql,redis').split(',').map((name) => name.trim()));
for (const name of STORES) {
  if (!['memory', 'postgres', 'mysql', 'redis'].includes(name)) throw new Error(`BENCH_RATELIMIT_STORES: unknown store "${name}"; use a comma-separated list of memory, postgres, mysql, redis.`);
}
const BULK = 1000;
const KEYS = 16;

async function tasksPerSecond(storage: TaskStorage, limited: boolean, tasks: number): Promise<number> {
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const handler = (_payload: { i: number }) => {
    if (++done === tasks) finish();
  };
  const task = limited
    ? defineTask({ name: 'bench-limited', rateLimit: { permits: 1e9, period: '1s', key: (p: { i: number }) => `k${p.i % KEYS}` }, handler })
    : defineTask({ name: 'bench-free', handler });
  const engine = new EverTask({ storage, tasks: [task], logger: silentLogger, queues: { default: { concurrency: 64, capacity: 5000 } }, defaults: { auditLevel: 'none' } });
  await engine.start();
  const started = performance.now();
  for (let i = 0; i < tasks; i += BULK) {
    await engine.dispatchMany(task, Array.from({ length: Math.min(BULK, tasks - i) }, (_, j) => ({ i: i + j })));
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await engine.stop({ timeout: 1000 });
  return tasks / seconds;
}

async function dropSchema(): Promise<void> {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  } finally {
    await admin.end();
  }
}

/** The bench server's URI with the suite's own database. */
function mySqlDatabaseUri(): string {
  const url = new URL(MYSQL_URL);
  url.pathname = `/${MYSQL_DATABASE}`;
  return url.toString();
}

/** Drops the suite's MySQL database and creates it empty. */
async function recreateMySqlDatabase(): Promise<void> {
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${MYSQL_DATABASE}\``);
    await admin.query(`CREATE DATABASE \`${MYSQL_DATABASE}\``);
  } finally {
    await admin.end();
  }
}

async function dropMySqlDatabase(): Promise<void> {
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${MYSQL_DATABASE}\``);
  } finally {
    await admin.end();
  }
}

/** Deletes the keys of the suite's prefix (`{<prefix>}:*`, found by SCAN on that pattern only). */
async function deleteRedisKeys(): Promise<void> {
  const client = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `{${PREFIX}}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

async function measure(report: Report, runs: number, library: string, tasks: number, storage: () => Promise<TaskStorage>, cleanup: () => Promise<void>): Promise<void> {
  const scenario = `rate limit far above the load: ${tasks.toLocaleString('en-US')} no-op tasks, dispatched in bulk`;
  for (const limited of [false, true]) {
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) {
      const s = await storage();
      try {
        rates.push(await tasksPerSecond(s, limited, tasks));
      } finally {
        await s.close();
        await cleanup();
      }
    }
    const metric = limited ? 'tasks/s, rate-limited (16 keys)' : 'tasks/s, no rate limit';
    console.log(`${library} ${metric}: ${Math.round(median(rates))} (${rates.map(Math.round).join(', ')})`);
    report.add({ scenario, library, metric, value: median(rates), unit: 'tasks/s', runs: rates });
  }
}

export async function runRateLimit(report: Report, runs: number): Promise<void> {
  if (STORES.has('memory')) await measure(report, runs, 'evertask (MemoryStorage)', TASKS, async () => new MemoryStorage(), async () => undefined);
  if (STORES.has('postgres')) {
    await dropSchema();
    await measure(report, runs, 'evertask (PostgreSQL)', PG_TASKS, async () => new PostgresStorage({ connectionString: PG_URL, schema: SCHEMA, max: 8 }), dropSchema);
  }
  if (STORES.has('mysql')) {
    await recreateMySqlDatabase();
    try {
      await measure(report, runs, 'evertask (MySQL)', MYSQL_TASKS, async () => new MySqlStorage({ uri: mySqlDatabaseUri(), connectionLimit: 8 }), recreateMySqlDatabase);
    } finally {
      await dropMySqlDatabase();
    }
  }
  if (STORES.has('redis')) {
    await deleteRedisKeys();
    await measure(report, runs, 'evertask (Redis)', REDIS_TASKS, async () => new RedisStorage({ url: REDIS_URL, prefix: PREFIX }), deleteRedisKeys);
  }
}
