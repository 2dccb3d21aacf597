import { InvalidArgumentError, StorageError, TaskKeyConflictError, toError } from '../errors.js';

/**
 * Runs a storage operation on behalf of a public method: errors the caller should see as they
 * are (storage, key conflict, invalid argument) pass through, anything else becomes a
 * `StorageError` naming the operation.
 */
export async function storageCall<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StorageError || error instanceof TaskKeyConflictError || error instanceof InvalidArgumentError) throw error;
    throw new StorageError(`Storage ${operation} failed: ${toError(error).message}`, { cause: error });
  }
}
