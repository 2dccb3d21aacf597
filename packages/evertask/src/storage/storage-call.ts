import { wrapDriverError } from '../storage-kit/driver-errors.js';

/**
 * Runs a storage operation on behalf of a public method: errors of this library (storage, key
 * conflict, invalid argument) pass through as they are, anything else becomes a `StorageError`
 * naming the operation.
 */
export async function storageCall<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw wrapDriverError('TaskStorage', operation, error);
  }
}
