import { InvalidArgumentError, StorageError, TaskKeyConflictError, type NewTask } from 'evertask';

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

/**
 * Wraps a driver error in a `StorageError` whose message names the file, what went wrong and what
 * to do. Errors of this library (already meaningful) pass through unchanged.
 */
export function toStorageError(error: unknown, operation: string, location: string): Error {
  if (error instanceof StorageError || error instanceof TaskKeyConflictError || error instanceof InvalidArgumentError) {
    return error;
  }
  const code = sqliteCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  const where = `SQLite storage (${location})`;
  if (is(code, 'SQLITE_BUSY') || is(code, 'SQLITE_LOCKED')) {
    return new StorageError(
      `${where}: ${operation} failed because the database is locked by another connection or process ` +
        `(${code}: ${detail}). The operation can be retried; if this persists, look for a process holding a long ` +
        `transaction on the file, or raise "busyTimeoutMs".`,
      { cause: error, transient: true },
    );
  }
  if (is(code, 'SQLITE_FULL') || code === 'SQLITE_IOERR_NOMEM' || code === 'SQLITE_NOMEM') {
    return new StorageError(
      `${where}: ${operation} failed because the disk (or the database's size limit) is full (${code}: ${detail}). ` +
        `Nothing of this operation was written; free disk space or run retention cleanup, then retry.`,
      { cause: error, transient: true },
    );
  }
  if (is(code, 'SQLITE_IOERR')) {
    return new StorageError(
      `${where}: ${operation} failed with a disk I/O error (${code}: ${detail}). The disk may be full, removed or failing; ` +
        `nothing of this operation was written. Check the disk and the file, then retry.`,
      { cause: error },
    );
  }
  if (is(code, 'SQLITE_NOTADB') || is(code, 'SQLITE_CORRUPT')) {
    return new StorageError(
      `${where}: the file is not an EverTask SQLite database or it is corrupt (${code}: ${detail}). ` +
        `Point "filename" at a new file (it is created) or at a database written by EverTask; restore a backup if it was one.`,
      { cause: error },
    );
  }
  if (is(code, 'SQLITE_READONLY')) {
    return new StorageError(
      `${where}: ${operation} failed because the database is read-only (${code}: ${detail}). ` +
        `Give the process write permission on the file AND its directory (SQLite writes -wal and -shm files beside it), ` +
        `and do not open the database with { readonly: true }.`,
      { cause: error },
    );
  }
  if (is(code, 'SQLITE_CANTOPEN') || /directory does not exist|unable to open/i.test(detail)) {
    return new StorageError(
      `${where}: cannot open the database file (${code ?? 'open failed'}: ${detail}). ` +
        `Check that the directory exists and that the process may read and write both the file and its directory.`,
      { cause: error },
    );
  }
  if (is(code, 'SQLITE_PERM') || is(code, 'SQLITE_AUTH')) {
    return new StorageError(
      `${where}: ${operation} was refused by SQLite (${code}: ${detail}). Check the file's permissions.`,
      { cause: error },
    );
  }
  return new StorageError(`${where}: ${operation} failed (${code ?? 'error'}: ${detail}).`, { cause: error });
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
      `SQLite storage (${location}): add failed: a task with id ${task.id} already exists; nothing was added.`,
      { cause: error },
    );
  }
  return error;
}
