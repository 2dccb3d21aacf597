import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../src/index.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../src/migrator.js';
import { tableNames } from '../src/queries/tables.js';
import { tempDir } from './helpers.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('SQLite migrator', () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.cleanup();
  });

  it('lists every .sql file of src/migrations once, numbered by its version, versions 1..latest', () => {
    const files = readdirSync(join(packageDir, 'src', 'migrations')).filter((name) => name.endsWith('.sql')).sort();
    expect(MIGRATIONS.map((migration) => migration.file)).toEqual(files);
    MIGRATIONS.forEach((migration, index) => {
      expect(migration.version).toBe(index + 1);
      expect(migration.file.startsWith(`${String(migration.version).padStart(4, '0')}-`)).toBe(true);
    });
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('names every table and index with the table prefix, and records each version once', async () => {
    const db = new Database(':memory:');
    const storage = new SqliteStorage({ database: db, tablePrefix: 'app_' });
    await storage.open();
    await storage.close();
    const names = (db.prepare(`SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`).all() as { name: string }[]).map(
      (row) => row.name,
    );
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !name.startsWith('app_'))).toEqual([]);
    const created = MIGRATIONS.flatMap((migration) => migration.creates(tableNames('app_')));
    expect(created.every((table) => names.includes(table))).toBe(true);
    expect(db.prepare('SELECT version, name FROM app_migrations ORDER BY version').all()).toEqual(
      MIGRATIONS.map((migration) => ({ version: migration.version, name: migration.name })),
    );
    db.close();
  });

  it('the built package ships its migrations: dist/ opens and migrates a new file', () => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: packageDir, encoding: 'utf8' });
    expect(build.status, build.stderr + build.stdout).toBe(0);
    const tmp = tempDir();
    dirs.push(tmp);
    const file = tmp.file();
    const entry = pathToFileURL(join(packageDir, 'dist', 'index.js')).href;
    // The built JavaScript of this package; `evertask` from its sources (no build of the core needed).
    const script = `
      const { SqliteStorage, LATEST_SCHEMA_VERSION } = await import(${JSON.stringify(entry)});
      const storage = new SqliteStorage({ filename: ${JSON.stringify(file)} });
      await storage.open();
      await storage.close();
      console.log(LATEST_SCHEMA_VERSION);`;
    const run = spawnSync(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(String(LATEST_SCHEMA_VERSION));
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT MAX(version) AS v FROM evertask_migrations').get() as { v: number }).v).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });
});
