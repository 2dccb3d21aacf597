import { execFileSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { StorageError } from 'evertask';
import { MYSQL_MIGRATIONS, MYSQL_SCHEMA_VERSION, mysqlMigrationSql } from '../src/index.js';
import { adminConnection, describeWithMySql, makeStorage, makeTask, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();

describe('migration files', () => {
  it('reads one migration per .sql file, numbered from 1, each naming itself', () => {
    expect(MYSQL_MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: MYSQL_SCHEMA_VERSION }, (_, index) => index + 1));
    for (const migration of MYSQL_MIGRATIONS) {
      expect(migration.name).not.toBe('');
      expect(migration.sql).toContain('{{prefix}}');
    }
  });

  it('prints a script for a prefix under the named lock, without the placeholders', () => {
    const script = mysqlMigrationSql('billing_');
    expect(script).toMatch(/^SELECT GET_LOCK\(/);
    expect(script).toContain('CREATE TABLE IF NOT EXISTS billing_tasks');
    expect(script).not.toContain('{{prefix}}');
    expect(() => mysqlMigrationSql('Bad Prefix')).toThrow(/"tablePrefix" must match/);
  });
});

describeMySql('migrations on the server', () => {
  const { database, uri } = useDatabase(import.meta.url);

  const versions = async (prefix: string): Promise<number[]> => {
    const connection = await adminConnection(database);
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>(`SELECT version FROM \`${prefix}migrations\` ORDER BY version`);
      return rows.map((row) => Number(row.version));
    } finally {
      await connection.end();
    }
  };

  it('migrates once when several processes open at the same time', async () => {
    const storages = Array.from({ length: 4 }, () => makeStorage(uri, { tablePrefix: 'race_' }));
    try {
      await Promise.all(storages.map((storage) => storage.open()));
      expect(await versions('race_')).toEqual(MYSQL_MIGRATIONS.map((m) => m.version));
      // every storage works on the one set of tables
      const task = makeTask();
      await storages[0]?.add([task]);
      expect((await storages[3]?.get(task.id))?.id).toBe(task.id);
    } finally {
      await Promise.all(storages.map((storage) => storage.close()));
    }
  });

  it('with migrate: false, refuses tables that are not migrated and names the fix', async () => {
    const storage = makeStorage(uri, { tablePrefix: 'unmigrated_', migrate: false });
    const error = await storage.open().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/prefix "unmigrated_" are at migration version 0.*mysqlMigrationSql\("unmigrated_", 0\).*evertask migrate --mysql/);
    await storage.close();
  });

  it('the printed script migrates a database that the storage then opens with migrate: false', async () => {
    const connection = await mysql.createConnection({ uri, multipleStatements: true });
    try {
      await connection.query(mysqlMigrationSql('printed_'));
      // a second run changes nothing (every statement is idempotent)
      await connection.query(mysqlMigrationSql('printed_'));
    } finally {
      await connection.end();
    }
    expect(await versions('printed_')).toEqual(MYSQL_MIGRATIONS.map((m) => m.version));
    const storage = makeStorage(uri, { tablePrefix: 'printed_', migrate: false });
    try {
      await storage.open();
      const task = makeTask();
      await storage.add([task]);
      expect((await storage.get(task.id))?.createdAt).toBe(task.createdAt);
    } finally {
      await storage.close();
    }
  });

  it('the script also runs through the mysql command-line client', () => {
    let client = true;
    try {
      execFileSync('mysql', ['--version'], { stdio: 'pipe' });
    } catch {
      client = false;
    }
    if (!client) return;
    const url = new URL(uri);
    execFileSync('mysql', ['-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username), database], {
      input: mysqlMigrationSql('cli_'),
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, MYSQL_PWD: decodeURIComponent(url.password) },
    });
    return expect(versions('cli_')).resolves.toEqual(MYSQL_MIGRATIONS.map((m) => m.version));
  });
});
