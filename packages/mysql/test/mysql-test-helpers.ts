import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import type { describe } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import type { StoredTask } from 'evertask';
import { makeStoredTask } from 'evertask/testing';
import { describeWithService } from '../../evertask/test/support/describe-with-service.js';
import { MySqlStorage, type MySqlStorageOptions } from '../src/index.js';

/** URI of the test server (any database on it: each test file creates its own). */
export const MYSQL_URL = process.env.EVERTASK_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** The test server's URI with another database. */
export function databaseUri(database: string): string {
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A connection to the server (the caller ends it). */
export async function adminConnection(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({ uri: database === undefined ? MYSQL_URL : databaseUri(database), multipleStatements: true, connectTimeout: 3000 });
}

/** Why the server cannot be used, or undefined when it answers. */
export async function probeMySql(): Promise<string | undefined> {
  try {
    const connection = await adminConnection();
    await connection.query('SELECT 1');
    await connection.end();
    return undefined;
  } catch (error) {
    return `MySQL/MariaDB at ${MYSQL_URL.replace(/:[^:@/]*@/, ':***@')} is unreachable: ${(error as Error).message}`;
  }
}

/**
 * `describe` when the server answers. Otherwise outside CI a loud warning and `describe.skip`;
 * under `CI=true` a failure (a CI run must not pass by skipping the database tests).
 */
export async function describeWithMySql(): Promise<typeof describe> {
  return describeWithService(await probeMySql(), 'MySQL', '@evertask/mysql', 'EVERTASK_TEST_MYSQL_URL');
}

/** A database name unique to this test file and process (`evertask_test_<hash>_<pid>`). */
export function testDatabase(fileUrl: string): string {
  const file = basename(fileURLToPath(fileUrl));
  return `evertask_test_${createHash('sha1').update(file).digest('hex').slice(0, 8)}_${process.pid}`;
}

/** Drops every table whose name starts with `prefix` in `database` (children before parents). */
export async function dropTables(database: string, prefix: string): Promise<void> {
  const connection = await adminConnection(database);
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND LEFT(table_name, ?) = ?',
      [database, prefix.length, prefix],
    );
    if (rows.length === 0) return;
    const names = rows.map((row) => `\`${String(row.name)}\``).join(', ');
    await connection.query(`SET FOREIGN_KEY_CHECKS = 0; DROP TABLE IF EXISTS ${names}; SET FOREIGN_KEY_CHECKS = 1`);
  } finally {
    await connection.end();
  }
}

/**
 * Call at the top of a test file's `describe`: creates the file's database (with the default
 * character set and collation of `defaults`, utf8mb4_bin unless told) before its tests and drops
 * it afterwards. Returns the database name and its URI.
 */
export function useDatabase(fileUrl: string, defaults: { charset: string; collation: string } = { charset: 'utf8mb4', collation: 'utf8mb4_bin' }): { database: string; uri: string } {
  const database = testDatabase(fileUrl);
  beforeAll(async () => {
    const connection = await adminConnection();
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\`; CREATE DATABASE \`${database}\` CHARACTER SET ${defaults.charset} COLLATE ${defaults.collation}`);
    await connection.end();
  });
  afterAll(async () => {
    const connection = await adminConnection();
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.end();
  });
  return { database, uri: databaseUri(database) };
}

/** A storage on the test database; `options` wins. */
export function makeStorage(uri: string, options: Partial<MySqlStorageOptions> = {}): MySqlStorage {
  return new MySqlStorage({ uri, connectionLimit: 4, ...options } as MySqlStorageOptions);
}

/** A valid task with everything defaulted; `overrides` wins. */
export function makeTask(overrides: Partial<StoredTask> = {}): StoredTask {
  return makeStoredTask({ createdAt: 1_700_000_000_000, payload: '{"n":1}', ...overrides });
}
