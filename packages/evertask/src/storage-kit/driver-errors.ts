import { EverTaskError, StorageError, toError } from '../errors.js';

/**
 * Node's error codes of a network connection that failed or was cut (refused, reset, timed out,
 * unreachable, a name that did not resolve): transient for every storage behind a socket.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** How an adapter classified a driver error. */
export interface DriverErrorClass {
  /** The same operation may succeed later (a lock, a lost connection, a full disk): the engine retries it. @defaultValue false */
  transient?: boolean;
  /** What happened and what to do, in words (replaces the driver's message at the front). @defaultValue the driver's message */
  explanation?: string;
}

/**
 * Wraps a driver error in a `StorageError` saying `<storage>.<operation> failed: <explanation>`,
 * with the driver error as `cause`. Errors of this library (a `StorageError`, a key conflict, an
 * invalid argument: any `EverTaskError`) pass through unchanged, so a storage may wrap every
 * failure of a method without wrapping its own.
 */
export function wrapDriverError(storageName: string, operation: string, error: unknown, classified: DriverErrorClass = {}): Error {
  if (error instanceof EverTaskError) return error;
  const explanation = classified.explanation ?? toError(error).message;
  return new StorageError(`${storageName}.${operation} failed: ${explanation}`, { cause: error, transient: classified.transient ?? false });
}

/** The properties drivers put on their errors, each unknown until checked. */
export interface DriverErrorFields {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  sqlMessage?: unknown;
  detail?: unknown;
  constraint?: unknown;
  fatal?: unknown;
  errors?: unknown;
}

/** The driver-error properties of a thrown value (none for a value that is not an object). */
export function driverErrorFields(error: unknown): DriverErrorFields {
  return typeof error === 'object' && error !== null ? (error as DriverErrorFields) : {};
}

/**
 * A driver error in words for a `wrapDriverError` explanation: its message (or the thrown value as
 * text) and, in brackets, its code, followed with `errno: true` by its error number when it has
 * one (`Duplicate entry … [ER_DUP_ENTRY 1062]`).
 */
export function describeDriverError(error: unknown, options: { errno?: boolean } = {}): string {
  const e = driverErrorFields(error);
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  if (typeof e.code !== 'string') return message;
  const errno = options.errno === true && typeof e.errno === 'number' ? ` ${e.errno}` : '';
  return `${message} [${e.code}${errno}]`;
}
