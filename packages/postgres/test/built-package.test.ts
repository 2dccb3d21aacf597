/**
 * The package as published: `npm run build` compiles to dist/ and copies the .sql migrations
 * next to the compiled migrator; plain Node (no source condition, no tsx) imports it and opens a
 * storage, which finds and applies every migration.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { POSTGRES_SCHEMA_VERSION } from '../src/index.js';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
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
    // a stale copy from an earlier build must not make this pass
    rmSync(new URL('../dist/migrations/', import.meta.url), { recursive: true, force: true });
    const build = (workspace: string): void => {
      execFileSync('npm', ['run', 'build', '--silent', '-w', workspace], { cwd: ROOT, stdio: 'pipe' });
    };
    build('packages/evertask');
    build('packages/postgres');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', OPEN_BUILT_PACKAGE], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', PG_URL, SCHEMA },
      encoding: 'utf8',
    });
    const result = JSON.parse(output.trim().split('\n').at(-1) as string) as { resolved: string; versions: number[] };
    expect(result.resolved).toMatch(/\/packages\/postgres\/dist\/index\.js$/);
    expect(result.versions).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, index) => index + 1));
  });
});
