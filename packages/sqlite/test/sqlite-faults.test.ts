import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { StorageError, uuidv7 } from 'evertask';
import { LATEST_SCHEMA_VERSION, SqliteStorage } from '../src/index.js';
import { MIGRATIONS, migrationsTableSql } from '../src/migrator.js';
import { tableNames } from '../src/queries/tables.js';
import { T0, makeTask, tempDir } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const openAsUser = join(here, 'fixtures', 'open-as-user.ts');
const repoRoot = resolve(here, '..', '..', '..');

async function openError(storage: SqliteStorage): Promise<StorageError> {
  const error = await storage.open().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  return error as StorageError;
}

describe('SqliteStorage files and faults', () => {
  let tmp: ReturnType<typeof tempDir>;
  const toClose: { close(): unknown }[] = [];

  beforeEach(() => {
    tmp = tempDir();
  });

  afterEach(async () => {
    for (const item of toClose.splice(0)) await item.close();
    tmp.cleanup();
  });

  function storageOn(file: string, options: { migrate?: boolean; busyTimeoutMs?: number } = {}): SqliteStorage {
    const storage = new SqliteStorage({ filename: file, ...options });
    toClose.push(storage);
    return storage;
  }

  it('reopening a closed file keeps tasks, audits, run audits and logs', async () => {
    const file = tmp.file();
    const first = storageOn(file);
    await first.open();
    const task = makeTask({ taskKey: 'keep-me', status: 'queued', leaseOwner: 'a', leaseExpiresAt: T0 + 10 });
    await first.add([task], { audit: true });
    await first.transition([
      {
        id: task.id,
        from: ['queued'],
        to: 'completed',
        at: T0 + 5,
        audit: { error: null },
        runAudit: { at: T0 + 5, status: 'completed', executionTimeMs: 3, error: null },
        logs: [{ id: uuidv7(), taskId: task.id, at: T0 + 4, level: 'warning', message: 'hi', exception: 'x', sequence: 0 }],
      },
    ]);
    await first.close();

    const second = storageOn(file);
    await second.open();
    expect(await second.getByTaskKey('keep-me')).toMatchObject({ id: task.id, status: 'completed', updatedAt: T0 + 5 });
    expect(await second.getStatusAudit(task.id)).toHaveLength(2);
    expect(await second.getRunAudit(task.id)).toHaveLength(1);
    expect(await second.getExecutionLogs(task.id)).toMatchObject([{ message: 'hi', level: 'warning', exception: 'x' }]);
  });

  it('sets WAL, the synchronous level, foreign keys and records the schema version once', async () => {
    const file = tmp.file();
    const db = new Database(file);
    toClose.push(db);
    const storage = new SqliteStorage({ database: db, synchronous: 'full' });
    await storage.open();
    await storage.close();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const again = new SqliteStorage({ database: db });
    await again.open();
    await again.close();
    expect(db.prepare('SELECT version FROM evertask_migrations ORDER BY version').all()).toEqual(
      Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
  });

  it('upgrades a version-1 file in place, keeping its tasks', async () => {
    const file = tmp.file();
    const db = new Database(file);
    toClose.push(db);
    db.exec(migrationsTableSql(tableNames('evertask_')));
    db.exec((MIGRATIONS[0] as (typeof MIGRATIONS)[number]).sql(tableNames('evertask_')));
    db.prepare('INSERT INTO evertask_migrations (version, name, applied_at) VALUES (1, ?, 0)').run('initial schema');
    const storage = new SqliteStorage({ database: db });
    const t = makeTask();
    // the old file holds a task written by the previous version
    db.prepare('INSERT INTO evertask_tasks (id, name, payload, status, queue, audit_level, created_at, updated_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      t.id, t.name, t.payload, t.status, t.queue, t.auditLevel, t.createdAt, t.updatedAt, t.dueAt,
    );
    await storage.open();
    expect((db.prepare('SELECT MAX(version) AS v FROM evertask_migrations').get() as { v: number }).v).toBe(LATEST_SCHEMA_VERSION);
    expect((await storage.get(t.id))?.id).toBe(t.id);
    await storage.instances.heartbeat({ id: 'a', hostname: 'h', pid: 1, startedAt: 1, heartbeatAt: 1, expiresAt: 2, queues: ['default'], taskNames: [] });
    expect((await storage.instances.list()).map((i) => i.id)).toEqual(['a']);
    await storage.close();
  });

  it('reports a malformed instance row naming the instance and the field', async () => {
    const file = tmp.file();
    const storage = storageOn(file);
    await storage.open();
    await storage.instances.heartbeat({ id: 'i-1', hostname: 'h', pid: 1, startedAt: 1, heartbeatAt: 1, expiresAt: 2, queues: ['default'], taskNames: [] });
    const db = new Database(file);
    toClose.push(db);
    db.prepare(`UPDATE evertask_instances SET queues = 'not json' WHERE id = 'i-1'`).run();
    const e1 = (await storage.instances.list().catch((e: unknown) => e)) as StorageError;
    expect(e1).toBeInstanceOf(StorageError);
    expect(e1.message).toMatch(/i-1.*"queues"/);
    db.prepare(`UPDATE evertask_instances SET queues = '["default"]', pid = 'x' WHERE id = 'i-1'`).run();
    const e2 = (await storage.instances.list().catch((e: unknown) => e)) as StorageError;
    expect(e2.message).toMatch(/i-1.*pid/);
    await storage.close();
  });

  it('two storages opening a fresh file at once migrate it once', async () => {
    const file = tmp.file();
    const storages = Array.from({ length: 4 }, () => storageOn(file));
    await Promise.all(storages.map((s) => s.open()));
    const task = makeTask();
    await (storages[0] as SqliteStorage).add([task]);
    expect((await (storages[3] as SqliteStorage).get(task.id))?.id).toBe(task.id);
    const db = new Database(file, { readonly: true });
    toClose.push(db);
    expect(db.prepare('SELECT COUNT(*) AS n FROM evertask_migrations').get()).toEqual({ n: MIGRATION_COUNT });
  });

  it('migrate: false on an empty file says the schema is missing and how to create it', async () => {
    const error = await openError(storageOn(tmp.file('empty.db'), { migrate: false }));
    expect(error.message).toMatch(/no EverTask schema/);
    expect(error.message).toMatch(/migrate: true/);
    expect(error.message).toContain('empty.db');
  });

  it('migrate: false opens a current schema', async () => {
    const file = tmp.file();
    const migrated = storageOn(file);
    await migrated.open();
    await migrated.close();
    const verified = storageOn(file, { migrate: false });
    await verified.open();
    expect(await verified.count()).toEqual([]);
  });

  it('refuses a database migrated by a newer version', async () => {
    const file = tmp.file();
    const migrated = storageOn(file);
    await migrated.open();
    await migrated.close();
    const db = new Database(file);
    db.prepare('INSERT INTO evertask_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(999, 'future', 0);
    db.close();
    const error = await openError(storageOn(file));
    expect(error.message).toMatch(/version 999, newer/);
  });

  it('a text file named .db is reported as not an EverTask database (file named)', async () => {
    const file = tmp.file('notes.db');
    writeFileSync(file, 'These are my notes, certainly not a SQLite database. '.repeat(40));
    const error = await openError(storageOn(file));
    expect(error.message).toContain('notes.db');
    expect(error.message).toMatch(/not an EverTask SQLite database or it is corrupt/);
    expect(error.transient).toBe(false);
  });

  it('a foreign database without conflicting tables gets our tables beside its own', async () => {
    const file = tmp.file('app.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada')`);
    db.close();
    const storage = storageOn(file);
    await storage.open();
    await storage.add([makeTask()]);
    await storage.close();
    const check = new Database(file, { readonly: true });
    toClose.push(check);
    expect(check.prepare('SELECT name FROM users').all()).toEqual([{ name: 'ada' }]);
  });

  it('a foreign table with one of our names is refused with the table named', async () => {
    const file = tmp.file('clash.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE evertask_tasks (id INTEGER PRIMARY KEY, title TEXT)`);
    db.close();
    const error = await openError(storageOn(file));
    expect(error.message).toMatch(/"evertask_tasks"/);
    expect(error.message).toMatch(/tablePrefix/);
    // Nothing was created: the migration rolled back.
    const check = new Database(file, { readonly: true });
    toClose.push(check);
    expect(check.prepare(`SELECT name FROM sqlite_master WHERE name = 'evertask_migrations'`).get()).toBeUndefined();
  });

  it('an altered table of ours is refused naming the missing columns', async () => {
    const file = tmp.file();
    const migrated = storageOn(file);
    await migrated.open();
    await migrated.close();
    const db = new Database(file);
    db.exec(`ALTER TABLE evertask_tasks DROP COLUMN run_until`);
    db.close();
    const error = await openError(storageOn(file));
    expect(error.message).toMatch(/evertask_tasks.*run_until/);
  });

  it('a missing directory is reported naming the path and the fix', async () => {
    const file = join(tmp.dir, 'no-such-dir', 'tasks.db');
    const error = await openError(storageOn(file));
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/directory exists/);
  });

  it('a read-only database: writes fail with a StorageError naming the file and the fix, reads still work', async () => {
    const file = tmp.file('ro.db');
    const writer = storageOn(file);
    await writer.open();
    const task = makeTask();
    await writer.add([task]);
    await writer.close();

    // chmod cannot stop root, so the read-only case is simulated with a read-only handle; as a
    // non-root user the read-only directory is tested too.
    const readonlyDb = new Database(file, { readonly: true });
    toClose.push(readonlyDb);
    const storage = new SqliteStorage({ database: readonlyDb });
    toClose.push(storage);
    await storage.open();
    expect((await storage.get(task.id))?.id).toBe(task.id);
    const error = (await storage.add([makeTask()]).catch((e: unknown) => e)) as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toMatch(/read-only/);
    expect(error.message).toContain('ro.db');

    // A read-only handle on a file without the schema cannot be migrated.
    const emptyFile = tmp.file('ro-empty.db');
    new Database(emptyFile).close();
    const emptyRo = new Database(emptyFile, { readonly: true });
    toClose.push(emptyRo);
    const migrateError = await openError(new SqliteStorage({ database: emptyRo }));
    expect(migrateError.message).toMatch(/read-only/);
  });

  it.skipIf(process.getuid?.() === 0)('a read-only directory (non-root only): opening a new file fails clearly', async () => {
    const dir = join(tmp.dir, 'locked');
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    try {
      const error = await openError(storageOn(join(dir, 'tasks.db')));
      expect(error.message).toContain(join(dir, 'tasks.db'));
      expect(error.message).toMatch(/permission|read-only|cannot open/i);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it.runIf(process.getuid?.() === 0)(
    'a read-only directory, checked as an unprivileged user (a root child loads its code, then drops to nobody)',
    async () => {
      // the child loads tsx, the sources and the native addon as root before it drops privileges,
      // so this does not depend on where the checkout lives (nobody may not traverse its path)
      chmodSync(tmp.dir, 0o755);
      const dir = join(tmp.dir, 'locked');
      mkdirSync(dir, { mode: 0o555 });
      chmodSync(dir, 0o555);
      const file = join(dir, 'tasks.db');
      const result = await new Promise<{ code: number | null; stderr: string }>((resolvePromise, reject) => {
        const child = spawn(process.execPath, ['--conditions=evertask-source', '--import', 'tsx', openAsUser, file, '65534', '65534'], {
          cwd: repoRoot,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) => resolvePromise({ code, stderr }));
      });
      expect(result.stderr).toContain('StorageError');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(file);
      expect(result.stderr).toMatch(/cannot open the database file/);
    },
    30_000,
  );

  it('disk full (max_page_count): the batch fails with a clear error and earlier rows stay intact', async () => {
    const db = new Database(tmp.file('full.db'));
    toClose.push(db);
    const storage = new SqliteStorage({ database: db });
    toClose.push(storage);
    await storage.open();
    const kept = Array.from({ length: 50 }, () => makeTask());
    await storage.add(kept, { audit: true });
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);

    const big = Array.from({ length: 2000 }, () => makeTask({ payload: JSON.stringify({ blob: 'x'.repeat(2000) }) }));
    const error = (await storage.add(big).catch((e: unknown) => e)) as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toMatch(/full/);
    expect(error.message).toContain('full.db');
    expect((await storage.query({}, { limit: 0 })).total).toBe(50);
    expect(await storage.get(big[0]!.id)).toBeUndefined();
    for (const task of kept.slice(0, 5)) expect(await storage.get(task.id)).toEqual(task);

    db.pragma('max_page_count = 1073741823');
    await storage.add(big.slice(0, 10));
    expect((await storage.query({}, { limit: 0 })).total).toBe(60);
  });

  it('a lock held by another connection gives a transient StorageError after busyTimeoutMs; nothing is lost', async () => {
    const file = tmp.file();
    const storage = storageOn(file, { busyTimeoutMs: 150 });
    await storage.open();
    const before = makeTask();
    await storage.add([before]);

    const locker = new Database(file);
    toClose.push(locker);
    locker.exec('BEGIN EXCLUSIVE');
    locker.prepare('UPDATE evertask_tasks SET payload = payload').run();
    const started = Date.now();
    const blocked = makeTask();
    const error = (await storage.add([blocked]).catch((e: unknown) => e)) as StorageError;
    const waited = Date.now() - started;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.transient).toBe(true);
    expect(error.message).toMatch(/locked by another connection or process/);
    expect(waited).toBeGreaterThanOrEqual(140);
    const claimError = (await storage
      .claimDue({ owner: 'me', now: T0 + 1, limit: 10, leaseMs: 1000 })
      .catch((e: unknown) => e)) as StorageError;
    expect(claimError.transient).toBe(true);
    // WAL: readers are not blocked by the writer.
    expect((await storage.get(before.id))?.status).toBe('waiting');
    locker.exec('COMMIT');

    await storage.add([blocked]);
    expect((await storage.query({}, { limit: 0 })).total).toBe(2);
  });

  it('a lock released within busyTimeoutMs is waited for without an error, without blocking the event loop', async () => {
    const file = tmp.file();
    const storage = storageOn(file, { busyTimeoutMs: 3000 });
    await storage.open();
    const locker = new Database(file);
    toClose.push(locker);
    locker.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    setTimeout(() => locker.exec('COMMIT'), 300);
    const task = makeTask();
    await storage.add([task]);
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(5);
    expect((await storage.get(task.id))?.id).toBe(task.id);
  });

  it('a corrupted row is reported naming the task id and the column, not a crash', async () => {
    const file = tmp.file();
    const storage = storageOn(file);
    await storage.open();
    const bad = makeTask();
    const badNumber = makeTask();
    const good = makeTask();
    await storage.add([bad, badNumber, good]);
    const db = new Database(file);
    toClose.push(db);
    db.pragma('ignore_check_constraints = ON');
    db.prepare(`UPDATE evertask_tasks SET status = 'exploded' WHERE id = ?`).run(bad.id);
    db.prepare(`UPDATE evertask_tasks SET created_at = 'yesterday' WHERE id = ?`).run(badNumber.id);

    const e1 = (await storage.get(bad.id).catch((e: unknown) => e)) as StorageError;
    expect(e1).toBeInstanceOf(StorageError);
    expect(e1.message).toContain(bad.id);
    expect(e1.message).toMatch(/"status".*exploded/);
    const e2 = (await storage.get(badNumber.id).catch((e: unknown) => e)) as StorageError;
    expect(e2.message).toContain(badNumber.id);
    expect(e2.message).toMatch(/"created_at"/);
    await expect(storage.pending(undefined, 10)).rejects.toBeInstanceOf(StorageError);
    await expect(storage.count()).rejects.toThrow(/exploded/);
    expect((await storage.get(good.id))?.id).toBe(good.id);
  });
});

const MIGRATION_COUNT = LATEST_SCHEMA_VERSION;
