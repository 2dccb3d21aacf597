import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { POSTGRES_SCHEMA_VERSION, postgresMigrationSql } from '@evertask/postgres';
import { runCli } from '../src/cli.js';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from '../../postgres/test/pg-test-helpers.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('evertask CLI', () => {
  it('prints the migration SQL of postgresMigrationSql without touching a database', async () => {
    expect(await cli('migrate', '--print')).toEqual({ code: 0, out: postgresMigrationSql('evertask'), err: '' });
    expect((await cli('migrate', '--print', '--schema', 'billing', '--from', '1')).out).toBe(postgresMigrationSql('billing', 1));
  });

  it('explains bad usage with exit code 2 and a bad schema with exit code 1', async () => {
    for (const argv of [[], ['nope'], ['migrate'], ['migrate', '--from', '-1', '--print'], ['migrate', '--bogus']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(/Usage:|--from/);
    }
    const bad = await cli('migrate', '--print', '--schema', 'Bad-Name');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/evertask migrate failed: .*schema/i);
    expect((await cli('--help')).out).toContain('evertask migrate --postgres <url>');
  });

  it('refuses a --from newer than the latest schema version instead of printing an empty migration', async () => {
    for (const from of [String(POSTGRES_SCHEMA_VERSION + 1), '99', '1.5', '']) {
      const r = await cli('migrate', '--print', '--from', from);
      expect(r.code, from).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain(`--from must be a schema version from 0 to ${POSTGRES_SCHEMA_VERSION} (the latest)`);
    }
    expect((await cli('migrate', '--print', '--from', String(POSTGRES_SCHEMA_VERSION))).code).toBe(0);
  });

  it('prints its version with --version', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await cli('--version')).toEqual({ code: 0, out: `${manifest.version}\n`, err: '' });
  });

  it('runs as the evertask bin', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const result = spawnSync(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', join(here, '..', 'src', 'bin.ts'), 'migrate', '--print'], {
      cwd: resolve(here, '..', '..', '..'),
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(postgresMigrationSql('evertask'));
  });
});

const describePg = await describeWithPostgres();

describePg('evertask migrate --postgres', () => {
  const schema = testSchema(import.meta.url);
  afterAll(() => dropSchemas(schema));

  it('applies the migrations to a fresh schema, and again is a no-op', async () => {
    const first = await cli('migrate', '--postgres', PG_URL, '--schema', schema);
    expect(first).toEqual({ code: 0, out: `Schema "${schema}" is at version ${POSTGRES_SCHEMA_VERSION}.\n`, err: '' });
    expect((await cli('migrate', '--postgres', PG_URL, '--schema', schema)).code).toBe(0);
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const res = await client.query(`SELECT max(version)::int AS v, count(*)::int AS n FROM "${schema}".migrations`);
      expect(res.rows[0]).toEqual({ v: POSTGRES_SCHEMA_VERSION, n: POSTGRES_SCHEMA_VERSION });
    } finally {
      await client.end();
    }
  });

  it('reports an unreachable database with exit code 1', async () => {
    const r = await cli('migrate', '--postgres', 'postgres://postgres@127.0.0.1:1/test', '--schema', schema);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/evertask migrate failed: .*(ECONNREFUSED|connect)/);
  });
});
