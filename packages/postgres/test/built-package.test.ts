/**
 * The package as published: `npm run build` compiles to dist/ and copies the .sql migrations
 * next to the compiled migrator; plain Node (no source condition, no tsx) imports it and opens a
 * storage, which finds and applies every migration.
 */
import { afterAll, expect, it } from 'vitest';
import { runBuiltPackage } from '../../evertask/test/support/built-package.js';
import { POSTGRES_SCHEMA_VERSION } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const SCHEMA = testSchema(import.meta.url);

/** Opens a storage from the built package and prints the schema's applied migration versions. */
const OPEN_BUILT_PACKAGE = `
const { PostgresStorage } = await import('@evertask/postgres');
const resolved = import.meta.resolve('@evertask/postgres');
const storage = new PostgresStorage({ connectionString: process.env.PG_URL, schema: process.env.SCHEMA });
await storage.open();
await storage.close();
const pg = (await import('pg')).default;
const client = new pg.Client({ connectionString: process.env.PG_URL });
await client.connect();
const res = await client.query('SELECT version FROM "' + process.env.SCHEMA + '".migrations ORDER BY version');
await client.end();
console.log(JSON.stringify({ resolved, versions: res.rows.map((row) => row.version) }));
`;

describePg('the built @evertask/postgres', () => {
  afterAll(async () => {
    await dropSchemas(SCHEMA);
  });

  it('finds its migrations in dist and migrates a fresh schema when run by plain Node', { timeout: 180_000 }, () => {
    const result = runBuiltPackage<{ resolved: string; versions: number[] }>('packages/postgres', OPEN_BUILT_PACKAGE, { PG_URL, SCHEMA });
    expect(result.resolved).toMatch(/\/packages\/postgres\/dist\/index\.js$/);
    expect(result.versions).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, index) => index + 1));
  });
});
