import type mysql from 'mysql2/promise';
import { expect, it } from 'vitest';
import { MYSQL_SCHEMA_VERSION, mysqlMigrationSql } from '@evertask/mysql';
import { runCli } from '../src/cli.js';
import { adminConnection, describeWithMySql, useDatabase } from '../../mysql/test/mysql-test-helpers.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

it('evertask migrate --mysql <url> --print prints mysqlMigrationSql without touching a database', async () => {
  const unreachable = 'mysql://root@127.0.0.1:1/none';
  expect(await cli('migrate', '--mysql', unreachable, '--print')).toEqual({ code: 0, out: mysqlMigrationSql('evertask_'), err: '' });
  expect((await cli('migrate', '--mysql', unreachable, '--print', '--table-prefix', 'billing_', '--from', '1')).out).toBe(mysqlMigrationSql('billing_', 1));
  const bad = await cli('migrate', '--mysql', unreachable, '--print', '--table-prefix', 'Bad-');
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/evertask migrate failed: .*"tablePrefix" must match/);
  expect((await cli('migrate', '--mysql', unreachable, '--postgres', 'postgres://x@y/z')).code).toBe(2);
  expect((await cli('--help')).out).toContain('evertask migrate --mysql <url>');
});

const describeMySql = await describeWithMySql();

describeMySql('evertask migrate --mysql', () => {
  const { database, uri } = useDatabase(import.meta.url);

  it('applies the migrations to a fresh database, and again is a no-op', async () => {
    expect(await cli('migrate', '--mysql', uri)).toEqual({ code: 0, out: `Tables "evertask_*" are at version ${MYSQL_SCHEMA_VERSION}.\n`, err: '' });
    expect((await cli('migrate', '--mysql', uri)).code).toBe(0);
    const connection = await adminConnection(database);
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT MAX(version) AS v, COUNT(*) AS n FROM evertask_migrations');
      expect(rows[0]).toEqual({ v: MYSQL_SCHEMA_VERSION, n: MYSQL_SCHEMA_VERSION });
    } finally {
      await connection.end();
    }
  });

  it('reports an unreachable server with exit code 1', async () => {
    const result = await cli('migrate', '--mysql', 'mysql://root@127.0.0.1:1/none');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/evertask migrate failed: .*ECONNREFUSED/);
  });
});
