import { TaskKeyConflictError } from 'evertask';
import { NETWORK_ERROR_CODES, describeDriverError, driverErrorFields, wrapDriverError } from 'evertask/storage-kit';

/** Server errors after which the transaction was rolled back and the same work may succeed now. */
const RETRYABLE_ERRNOS = new Set([
  1213, // ER_LOCK_DEADLOCK: the server rolled back the whole transaction
  1205, // ER_LOCK_WAIT_TIMEOUT: the statement was rolled back (the storage rolls back the rest)
]);

/** Server errors that mean the server is unreachable, restarting or overloaded. */
const UNREACHABLE_ERRNOS = new Set([
  1040, // ER_CON_COUNT_ERROR: too many connections
  1053, // ER_SERVER_SHUTDOWN
  1927, // ER_CONNECTION_KILLED (MariaDB)
  2002, // CR_CONNECTION_ERROR
  2003, // CR_CONN_HOST_ERROR
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST
]);

/** Node and mysql2 codes of a connection that failed or was cut. */
const CONNECTION_CODES = new Set([
  ...NETWORK_ERROR_CODES,
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
]);

/** The server's error number of a driver error (`1062`, `1213`…), when it has one. */
export function errorNumber(error: unknown): number | undefined {
  const errno = driverErrorFields(error).errno;
  return typeof errno === 'number' ? errno : undefined;
}

/** A deadlock or lock wait timeout: the transaction was rolled back and can be run again as it is. */
export function isRetryableLockError(error: unknown): boolean {
  const errno = errorNumber(error);
  return errno !== undefined && RETRYABLE_ERRNOS.has(errno);
}

/** The connection failed, was cut, or the server is restarting or full. */
export function isConnectionError(error: unknown): boolean {
  const e = driverErrorFields(error);
  const errno = errorNumber(error);
  if (errno !== undefined && UNREACHABLE_ERRNOS.has(errno)) return true;
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  // Node's AggregateError (dual-stack connect) carries the real errors inside.
  return Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((inner) => isConnectionError(inner));
}

/** Whether a driver error may go away by itself (a lock, a lost connection, a restarting server): worth retrying. */
export function isTransientMySqlError(error: unknown): boolean {
  return isRetryableLockError(error) || isConnectionError(error);
}

/**
 * A driver error as a `StorageError` (`MySqlStorage.<operation> failed: …`); errors of this library
 * pass through unchanged. Deadlocks, lock wait timeouts and lost or refused connections are marked
 * `transient: true`, so the engine retries them with backoff.
 */
export function toStorageError(operation: string, error: unknown): Error {
  const transient = isTransientMySqlError(error);
  const hint = transient ? ' (transient: the server was unreachable or the rows were locked; retry later)' : '';
  return wrapDriverError('MySqlStorage', operation, error, { transient, explanation: `${describeDriverError(error, { errno: true })}${hint}` });
}

/** Name of the unique index that enforces one task per task key (see migrations). */
export const TASK_KEY_INDEX = 'tasks_task_key_uq';

/**
 * A duplicate entry on the task-key index as a `TaskKeyConflictError` naming the key (the one
 * key of the batch the server's message quotes, or the batch's only key), otherwise undefined.
 */
export function toTaskKeyConflict(error: unknown, batchKeys: readonly string[]): TaskKeyConflictError | undefined {
  if (errorNumber(error) !== 1062) return undefined;
  const e = driverErrorFields(error);
  const message = typeof e.sqlMessage === 'string' ? e.sqlMessage : typeof e.message === 'string' ? e.message : '';
  if (!message.includes(TASK_KEY_INDEX)) return undefined;
  const unique = [...new Set(batchKeys)];
  // the message quotes the key hash (the unique column), so the key is found by elimination
  const key = unique.length === 1 ? unique[0] : undefined;
  return new TaskKeyConflictError(key ?? '(unknown)', { cause: error });
}
