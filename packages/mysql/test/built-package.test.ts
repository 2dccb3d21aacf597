/**
 * The package as published: `npm run build` compiles to dist/ and copies the .sql migrations
 * next to the compiled migrator; plain Node (no source condition, no tsx) imports it and opens a
 * storage, which finds and applies every migration.
 */
import { expect, it } from 'vitest';
import { runBuiltPackage } from '../../evertask/test/support/built-package.js';
import { MYSQL_SCHEMA_VERSION } from '../src/index.js';
import { describeWithMySql, useDatabase } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();

/** Opens a storage from the built package and prints the applied migration versions. */
const OPEN_BUILT_PACKAGE = `
const { MySqlStorage } = await import('@evertask/mysql');
const resolved = import.meta.resolve('@evertask/mysql');
const storage = new MySqlStorage({ uri: process.env.MYSQL_URI });
await storage.open();
await storage.close();
const mysql = (await import('mysql2/promise')).default;
const connection = await mysql.createConnection({ uri: process.env.MYSQL_URI });
const [rows] = await connection.query('SELECT version FROM evertask_migrations ORDER BY version');
await connection.end();
console.log(JSON.stringify({ resolved, versions: rows.map((row) => row.version) }));
`;

describeMySql('the built @evertask/mysql', () => {
  const { uri } = useDatabase(import.meta.url);

  it('finds its migrations in dist and migrates a fresh database when run by plain Node', { timeout: 180_000 }, () => {
    const result = runBuiltPackage<{ resolved: string; versions: number[] }>('packages/mysql', OPEN_BUILT_PACKAGE, { MYSQL_URI: uri });
    expect(result.resolved).toMatch(/\/packages\/mysql\/dist\/index\.js$/);
    expect(result.versions).toEqual(Array.from({ length: MYSQL_SCHEMA_VERSION }, (_, index) => index + 1));
  });
});
