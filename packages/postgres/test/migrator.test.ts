import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from 'evertask';
import { PostgresStorage, postgresMigrationSql, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from '../src/index.js';
import { loadMigrations } from '../src/migrator.js';
import { TASK_KEY_INDEX } from '../src/postgres-errors.js';
import { PG_URL, describeWithPostgres, makeTask, useStorage, useStorages } from './pg-test-helpers.js';

const describePg = await describeWithPostgres();
const SOURCE_FOLDER = new URL('../src/migrations/', import.meta.url);

describe('migration files', () => {
  const folders: string[] = [];
  /** A new folder holding the given files (name -> text). */
  const folderWith = (files: Record<string, string>): URL => {
    const path = mkdtempSync(join(tmpdir(), 'evertask-pg-migrations-'));
    folders.push(path);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
    return pathToFileURL(`${path}/`);
  };

  afterEach(() => {
    for (const path of folders.splice(0)) rmSync(path, { recursive: true, force: true });
  });

  it('reads one migration per .sql file of src/migrations, numbered 1, 2, 3… with its name and without the name line', () => {
    const files = readdirSync(SOURCE_FOLDER).filter((file) => file.endsWith('.sql'));
    expect(POSTGRES_MIGRATIONS.map((m) => m.version)).toEqual(files.map((_, index) => index + 1));
    expect(POSTGRES_SCHEMA_VERSION).toBe(files.length);
    expect(POSTGRES_MIGRATIONS[0]?.name).toBe('tasks, audits and execution logs');
    for (const migration of POSTGRES_MIGRATIONS) {
      expect(migration.name).not.toBe('');
      expect(migration.sql).not.toMatch(/^-- name:/m);
      expect(migration.sql).toContain('{{schema}}');
    }
    // a duplicate task key is recognised by the name of the index the migrations create
    expect(POSTGRES_MIGRATIONS.some((m) => m.sql.includes(`CREATE UNIQUE INDEX ${TASK_KEY_INDEX} `))).toBe(true);
  });

  it('loads the same migrations from a copy of the folder, as the built package does from dist/migrations', () => {
    const path = mkdtempSync(join(tmpdir(), 'evertask-pg-migrations-'));
    folders.push(path);
    cpSync(SOURCE_FOLDER, path, { recursive: true });
    expect(loadMigrations(pathToFileURL(`${path}/`))).toEqual(POSTGRES_MIGRATIONS);
  });

  it('names the folder and the build step when the migrations are missing', () => {
    const missing = new URL('./no-such-folder/', folderWith({}));
    const error = (() => {
      try {
        return loadMigrations(missing);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain('no-such-folder');
    expect((error as Error).message).toContain('dist/migrations');
  });

  it('rejects a gap in the versions and a file without its name line', () => {
    const first = '-- name: first\nCREATE TABLE {{schema}}.a (id int);\n';
    expect(loadMigrations(folderWith({ '0001-first.sql': first }))).toEqual([
      { version: 1, name: 'first', sql: 'CREATE TABLE {{schema}}.a (id int);\n' },
    ]);
    expect(() => loadMigrations(folderWith({ '0001-first.sql': first, '0003-third.sql': first }))).toThrow(
      /"0003-third\.sql".*should be version 2/,
    );
    expect(() => loadMigrations(folderWith({ '0001-first.sql': 'CREATE TABLE {{schema}}.a (id int);\n' }))).toThrow(
      /must start with a line "-- name: /,
    );
  });
});

describePg('PostgresStorage migrations', () => {
  const fixture = useStorage(import.meta.url);
  const instances = useStorages(import.meta.url);

  it('keeps on the tasks table only the indexes that claims, renewals, keys, listings, statistics and retention use', async () => {
    // Every index costs a write per insert and per status change: the set is part of the design.
    const res = await fixture.admin.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'tasks' ORDER BY indexname`,
      [fixture.schema],
    );
    expect(res.rows.map((r) => r.indexname)).toEqual([
      'tasks_created_idx',
      'tasks_due_idx',
      'tasks_lease_idx',
      'tasks_pkey',
      'tasks_recurring_idx',
      'tasks_task_key_uq',
      'tasks_updated_idx',
    ]);
  });

  it('prints migration SQL that creates the schema at the current version', async () => {
    const schema = `${fixture.schema}_printed`;
    const sql = postgresMigrationSql(schema);
    expect(sql).toContain(`"${schema}".tasks`);
    await fixture.admin.query(sql);
    const verify = new PostgresStorage({ connectionString: PG_URL, schema, migrate: false });
    try {
      await verify.open();
      const res = await fixture.admin.query(`SELECT max(version) AS v FROM "${schema}".migrations`);
      expect(res.rows[0].v).toBe(POSTGRES_SCHEMA_VERSION);
      expect(postgresMigrationSql(schema, POSTGRES_SCHEMA_VERSION)).not.toContain('CREATE TABLE "');
    } finally {
      await verify.close();
    }
  });

  it('migrates once when five instances open a fresh schema together', async () => {
    const schema = instances.fresh();
    const storages = Array.from({ length: 5 }, () => instances.make({ schema }));
    await Promise.all(storages.map((s) => s.open()));
    const res = await instances.admin.query(`SELECT version FROM "${schema}".migrations ORDER BY version`);
    expect(res.rows.map((r) => r.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
    await storages[0]!.add([makeTask()]);
    expect((await storages[4]!.query({})).total).toBe(1);
    await Promise.all(storages.map((s) => s.open())); // idempotent
  });

  it('with migrate: false, refuses a schema that is not migrated and accepts one that is', async () => {
    const schema = instances.fresh();
    const strict = instances.make({ schema, migrate: false });
    const error = await strict.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(new RegExp(`schema "${schema}" is at migration version 0.*needs version ${POSTGRES_SCHEMA_VERSION}`));
    const res = await instances.admin.query(`SELECT to_regclass($1) AS t`, [`${schema}.tasks`]);
    expect(res.rows[0].t).toBeNull();
    await instances.make({ schema }).open();
    await strict.open();
  });
});
