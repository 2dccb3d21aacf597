import { EverTaskError, StorageError, toError } from '../errors.js';

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
