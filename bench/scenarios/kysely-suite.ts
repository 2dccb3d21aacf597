/**
 * The Kysely comparison: the workload of the postgres suite (lib/evertask-workload.ts) on
 * `KyselyStorage` and, on the same database in the same run, on the hand-tuned adapter of that
 * database — PostgreSQL (`PostgresStorage`), MySQL/MariaDB (`MySqlStorage`), SQLite
 * (`SqliteStorage`, a temporary WAL file; Kysely's `SqliteDialect` on its own better-sqlite3
 * connection to another file). The pools hold `POOL` connections on both sides; the order of the
 * two alternates from run to run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { KyselyStorage } from '@evertask/kysely';
import { MySqlStorage } from '@evertask/mysql';
import { PostgresStorage } from '@evertask/postgres';
import { SqliteStorage } from '@evertask/sqlite';
import { median } from '../lib/stats.js';
import type { Row } from '../lib/report.js';
import { POOL, everTaskPeer, runPeersOnce, scenarioNames, type EverTaskBackend, type Peer, type Results } from '../lib/evertask-workload.js';
import { MYSQL_URL } from './mysql-suite.js';
import { PG_URL } from './postgres-suite.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKysely = Kysely<any>;

const PREFIX = 'bench_ky_';
const MYSQL_DATABASE = 'bench_evertask_kysely';

/** One database of the comparison: its two backends and what to release afterwards. */
interface Pair {
  database: string;
  handTuned: EverTaskBackend;
  kysely: EverTaskBackend;
  release(): Promise<void>;
}

async function count(db: AnyKysely, table: string, unfinished: boolean): Promise<number> {
  let query = db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
  if (unfinished) query = query.where('status', '<>', 'completed');
  return Number((await query.executeTakeFirst())?.n ?? 0);
}

/** The Kysely backend on `db`: tables under `PREFIX`, dropped by `reset`. */
function kyselyBackend(db: AnyKysely, listTables: () => Promise<string[]>): EverTaskBackend {
  return {
    library: 'evertask (KyselyStorage)',
    reset: async () => {
      for (const name of await listTables()) await db.schema.dropTable(name).ifExists().execute();
    },
    storage: () => new KyselyStorage({ db, tablePrefix: PREFIX }),
    countAll: () => count(db, `${PREFIX}tasks`, false),
    countUnfinished: () => count(db, `${PREFIX}tasks`, true),
  };
}

async function postgresPair(): Promise<Pair> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: POOL });
  const db: AnyKysely = new Kysely({ dialect: new PostgresDialect({ pool }) });
  const schema = 'bench_evertask_vs_kysely';
  return {
    database: 'postgres',
    handTuned: {
      library: 'evertask (PostgresStorage)',
      reset: async () => void (await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db)),
      storage: () => new PostgresStorage({ connectionString: PG_URL, schema, max: POOL }),
      countAll: () => count(db.withSchema(schema), 'tasks', false),
      countUnfinished: () => count(db.withSchema(schema), 'tasks', true),
    },
    kysely: kyselyBackend(db, async () => (await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND starts_with(tablename, ${PREFIX})`.execute(db)).rows.map((r) => r.name)),
    release: async () => {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
      await db.destroy();
    },
  };
}

async function mysqlPair(): Promise<Pair> {
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE}\``);
  const url = new URL(MYSQL_URL);
  url.pathname = `/${MYSQL_DATABASE}`;
  const uri = url.toString();
  const db: AnyKysely = new Kysely({ dialect: new MysqlDialect({ pool: createPool({ uri, connectionLimit: POOL, charset: 'utf8mb4_bin' }) }) });
  const listTables = async (prefix: string) =>
    (await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${MYSQL_DATABASE} AND LEFT(table_name, ${prefix.length}) = ${prefix}`.execute(db)).rows.map((r) => r.name);
  const mysqlPrefix = 'bench_my_';
  return {
    database: 'mysql',
    handTuned: {
      library: 'evertask (MySqlStorage)',
      // the hand-tuned tables have foreign keys: dropped on one connection with the checks off
      reset: async () => {
        const names = await listTables(mysqlPrefix);
        await db.connection().execute(async (connection) => {
          await sql`SET FOREIGN_KEY_CHECKS = 0`.execute(connection);
          for (const name of names) await connection.schema.dropTable(name).ifExists().execute();
          await sql`SET FOREIGN_KEY_CHECKS = 1`.execute(connection);
        });
      },
      storage: () => new MySqlStorage({ uri, tablePrefix: mysqlPrefix, connectionLimit: POOL }),
      countAll: () => count(db, `${mysqlPrefix}tasks`, false),
      countUnfinished: () => count(db, `${mysqlPrefix}tasks`, true),
    },
    kysely: kyselyBackend(db, () => listTables(PREFIX)),
    release: async () => {
      await db.destroy();
      await admin.query(`DROP DATABASE IF EXISTS \`${MYSQL_DATABASE}\``);
      await admin.end();
    },
  };
}

async function sqlitePair(): Promise<Pair> {
  const dir = mkdtempSync(join(tmpdir(), 'evertask-bench-kysely-'));
  const handFile = join(dir, 'hand-tuned.db');
  const database = new Database(join(dir, 'kysely.db'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  const db: AnyKysely = new Kysely({ dialect: new SqliteDialect({ database }) });
  const handDb = () => new Kysely({ dialect: new SqliteDialect({ database: new Database(handFile, { readonly: true }) }) }) as AnyKysely;
  const handCount = async (unfinished: boolean) => {
    const reader = handDb();
    try {
      return await count(reader, 'evertask_tasks', unfinished);
    } finally {
      await reader.destroy();
    }
  };
  return {
    database: 'sqlite',
    handTuned: {
      library: 'evertask (SqliteStorage)',
      reset: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${handFile}${suffix}`, { force: true });
      },
      storage: () => new SqliteStorage({ filename: handFile }),
      countAll: () => handCount(false),
      countUnfinished: () => handCount(true),
    },
    kysely: kyselyBackend(db, async () => (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ${PREFIX.length}) = ${PREFIX}`.execute(db)).rows.map((r) => r.name)),
    release: async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the comparison `runs` times on each database and returns the median rows. */
export async function kyselyRows(runs: number, log: (line: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const add = (scenario: string, library: string, metric: string, unit: string, values: number[]) =>
    rows.push({ scenario, library, metric, unit, value: median(values), runs: values });
  for (const open of [postgresPair, mysqlPair, sqlitePair]) {
    const pair = await open();
    log(`${pair.database}: ${pair.handTuned.library} and ${pair.kysely.library} on the same server; Node ${process.version}`);
    const peers: Peer[] = [everTaskPeer(pair.handTuned, log), everTaskPeer(pair.kysely, log)];
    const results = new Map<string, Results[]>(peers.map((p) => [p.library, []]));
    try {
      for (let r = 0; r < runs; r++) await runPeersOnce(peers, r, results, log);
    } finally {
      await pair.handTuned.reset().catch(() => undefined);
      await pair.kysely.reset().catch(() => undefined);
      await pair.release();
    }
    const S = scenarioNames(`kysely ${pair.database}`);
    for (const peer of peers) {
      const of = (pick: (x: Results) => number) => (results.get(peer.library) as Results[]).map(pick);
      add(S.bulk, peer.library, 'throughput', 'tasks/s', of((x) => x.bulk));
      add(S.single, peer.library, 'throughput', 'tasks/s', of((x) => x.single));
      add(S.drain, peer.library, 'throughput', 'tasks/s', of((x) => x.drain));
      add(S.latency, peer.library, 'p50', 'ms', of((x) => x.latency.p50));
    }
  }
  return rows;
}
