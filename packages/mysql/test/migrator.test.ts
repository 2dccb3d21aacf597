import { execFileSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { StorageError } from 'evertask';
import { MYSQL_MIGRATIONS, MYSQL_SCHEMA_VERSION, mysqlMigrationSql, mysqlMigrationStatements } from '../src/index.js';
import { splitMigrationSql } from '../src/migration-statements.js';
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
    // the stored procedure goes to the mysql client between DELIMITER lines
    expect(script).toMatch(/\nDELIMITER \/\/\nCREATE PROCEDURE billing_rate_limit_acquire\([^]*\nEND \/\/\nDELIMITER ;\n/);
    expect(mysqlMigrationStatements('billing_').some((sql) => sql.includes('DELIMITER'))).toBe(false);
    expect(() => mysqlMigrationStatements('Bad Prefix')).toThrow(/"tablePrefix" must match/);
  });

  it('splits a migration where the mysql client would: at the end of a line ending with the delimiter', () => {
    const sql = [
      'CREATE TABLE a (x INT);',
      '-- a comment; dropped',
      'INSERT INTO a VALUES (1); INSERT INTO a',
      'VALUES (2);',
      'DELIMITER //',
      'CREATE PROCEDURE p()',
      'BEGIN',
      '  SELECT 1;',
      'END //',
      'DELIMITER ;',
      'DROP TABLE a;',
    ].join('\r\n');
    expect(splitMigrationSql(sql)).toEqual([
      { sql: 'CREATE TABLE a (x INT)', delimiter: ';' },
      { sql: 'INSERT INTO a VALUES (1); INSERT INTO a\nVALUES (2)', delimiter: ';' },
      { sql: 'CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND', delimiter: '//' },
      { sql: 'DROP TABLE a', delimiter: ';' },
    ]);
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

  it('the script run through a driver (mysqlMigrationStatements) migrates a database that the storage then opens with migrate: false', async () => {
    const connection = await mysql.createConnection({ uri });
    try {
      for (const sql of mysqlMigrationStatements('printed_')) await connection.query(sql);
      // a second run changes nothing (every statement is idempotent)
      for (const sql of mysqlMigrationStatements('printed_')) await connection.query(sql);
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

  it('the script also runs through the mysql command-line client, stored procedure included', async () => {
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
    expect(await versions('cli_')).toEqual(MYSQL_MIGRATIONS.map((m) => m.version));
    const connection = await adminConnection(database);
    try {
      const [routines] = await connection.query<mysql.RowDataPacket[]>(
        "SELECT routine_name AS name FROM information_schema.routines WHERE routine_schema = ? AND routine_type = 'PROCEDURE' AND routine_name LIKE 'cli\\_%'",
        [database],
      );
      expect(routines.map((row) => String(row.name))).toEqual(['cli_rate_limit_acquire']);
    } finally {
      await connection.end();
    }
  });
});
