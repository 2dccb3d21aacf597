import { StorageError, TaskKeyConflictError, type NewTask } from 'evertask';
import { wrapDriverError, type DriverErrorClass } from 'evertask/storage-kit';

/** The `code` of a better-sqlite3 `SqliteError` (e.g. `SQLITE_BUSY`, `SQLITE_IOERR_WRITE`), if any. */
function sqliteCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  }
  return undefined;
}

/** A lock held by another connection: worth retrying. */
export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function is(code: string | undefined, base: string): boolean {
  return code !== undefined && (code === base || code.startsWith(`${base}_`));
}

/** What went wrong with the file at `location` and what to do, and whether a retry may succeed. */
function classify(error: unknown, location: string): DriverErrorClass {
  const code = sqliteCode(error);
  const detail = `${code ?? 'error'}: ${error instanceof Error ? error.message : String(error)}`;
  const about = (explanation: string, transient = false): DriverErrorClass => ({ explanation: `${explanation} [${location}]`, transient });
  if (is(code, 'SQLITE_BUSY') || is(code, 'SQLITE_LOCKED')) {
    return about(
      `the database is locked by another connection or process (${detail}). The operation can be retried; if this ` +
        'persists, look for a process holding a long transaction on the file, or raise "busyTimeoutMs".',
      true,
    );
  }
  if (is(code, 'SQLITE_FULL') || code === 'SQLITE_IOERR_NOMEM' || code === 'SQLITE_NOMEM') {
    return about(
      `the disk (or the database's size limit) is full (${detail}). Nothing of this operation was written; free disk ` +
        'space or run retention cleanup, then retry.',
      true,
    );
  }
  if (is(code, 'SQLITE_IOERR')) {
    return about(
      `a disk I/O error (${detail}). The disk may be full, removed or failing; nothing of this operation was written. ` +
        'Check the disk and the file, then retry.',
    );
  }
  if (is(code, 'SQLITE_NOTADB') || is(code, 'SQLITE_CORRUPT')) {
    return about(
      `the file is not an EverTask SQLite database or it is corrupt (${detail}). Point "filename" at a new file (it is ` +
        'created) or at a database written by EverTask; restore a backup if it was one.',
    );
  }
  if (is(code, 'SQLITE_READONLY')) {
    return about(
      `the database is read-only (${detail}). Give the process write permission on the file AND its directory (SQLite ` +
        'writes -wal and -shm files beside it), and do not open the database with { readonly: true }.',
    );
  }
  if (is(code, 'SQLITE_CANTOPEN') || /directory does not exist|unable to open/i.test(detail)) {
    return about(
      `cannot open the database file (${detail}). Check that the directory exists and that the process may read and ` +
        'write both the file and its directory.',
    );
  }
  if (is(code, 'SQLITE_PERM') || is(code, 'SQLITE_AUTH')) return about(`SQLite refused it (${detail}). Check the file's permissions.`);
  return about(`(${detail}).`);
}

/**
 * A driver error as a `StorageError` (`SqliteStorage.<operation> failed: …`) naming the file, what
 * went wrong and what to do; errors of this library pass through unchanged.
 */
export function toStorageError(operation: string, error: unknown, location: string): Error {
  return wrapDriverError('SqliteStorage', operation, error, classify(error, location));
}

/**
 * The error of a failed task insert: a task-key conflict becomes `TaskKeyConflictError`, a duplicate
 * id a `StorageError` naming it; anything else is returned unchanged (a busy error stays retryable).
 */
export function insertFailure(error: unknown, task: NewTask | undefined, location: string): unknown {
  const code = sqliteCode(error);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' && task?.taskKey != null && /task_key/.test(String(error))) {
    return new TaskKeyConflictError(task.taskKey, { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' && task) {
    return new StorageError(
      `SqliteStorage.add failed: a task with id ${task.id} already exists; nothing was added. [${location}]`,
      { cause: error },
    );
  }
  return error;
}
