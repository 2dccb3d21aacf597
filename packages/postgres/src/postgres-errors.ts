import { TaskKeyConflictError } from 'evertask';
import { NETWORK_ERROR_CODES, describeDriverError, driverErrorFields, wrapDriverError } from 'evertask/storage-kit';

/** SQLSTATE classes and codes after which the same operation may succeed later. */
const TRANSIENT_CODES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout)
]);

const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /connection (?:is )?closed/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /server closed the connection/i,
  /connection ended/i,
  /the database system is (?:starting up|shutting down|in recovery mode)/i,
];

/** The SQLSTATE of a driver error, when it has one. */
export function sqlState(error: unknown): string | undefined {
  const code = driverErrorFields(error).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Whether a driver error means the database was unreachable or restarting: worth retrying. */
export function isTransientPgError(error: unknown): boolean {
  const e = driverErrorFields(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined) {
    if (TRANSIENT_CODES.has(code) || code.startsWith('08')) return true;
    if (NETWORK_ERROR_CODES.has(code)) return true;
  }
  // Node's AggregateError (dual-stack connect) carries the real errors inside.
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((inner) => isTransientPgError(inner))) {
    return true;
  }
  const message = typeof e.message === 'string' ? e.message : '';
  return TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * A driver error as a `StorageError` (`PostgresStorage.<operation> failed: …`); errors of this
 * library pass through unchanged. Connection loss, an administrator shutdown, a database that is
 * starting, and serialization failures or deadlocks are marked `transient: true`, so the engine
 * retries them with backoff.
 */
export function toStorageError(operation: string, error: unknown): Error {
  const transient = isTransientPgError(error);
  const hint = transient ? ' (transient: the database was unreachable or busy; retry later)' : '';
  return wrapDriverError('PostgresStorage', operation, error, { transient, explanation: `${describeDriverError(error)}${hint}` });
}

/** Name of the unique index that enforces one task per task key (see migrations). */
export const TASK_KEY_INDEX = 'tasks_task_key_uq';

/**
 * A unique violation on the task-key index as a `TaskKeyConflictError` naming the key (taken from
 * the server's detail text, or from the batch when it has exactly one key), otherwise undefined.
 */
export function toTaskKeyConflict(error: unknown, batchKeys: readonly string[]): TaskKeyConflictError | undefined {
  const e = driverErrorFields(error);
  if (sqlState(error) !== '23505' || e.constraint !== TASK_KEY_INDEX) return undefined;
  const detail = typeof e.detail === 'string' ? e.detail : '';
  const match = /^Key \(task_key\)=\((.*)\) already exists\.?$/s.exec(detail);
  let key = match?.[1];
  if (key === undefined) {
    const unique = [...new Set(batchKeys)];
    key = unique.length === 1 ? unique[0] : undefined;
  }
  return new TaskKeyConflictError(key ?? '(unknown)', { cause: error });
}
