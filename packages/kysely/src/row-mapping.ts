/** Rows → records (through the kit's checked row readers) and records → rows. */
import { createHash } from 'node:crypto';
import type { StoredTask } from 'evertask';
import { STORED_TASK_COLUMNS, TASK_COLUMNS, rowReaders } from 'evertask/storage-kit';
import type { DbRow } from './database.js';

/** The kit's checked row readers, named for this storage's messages. */
export const readers = rowReaders('KyselyStorage');

/** The task columns a read selects (`task_key_hash` is the storage's own). */
export const TASK_SELECT: readonly string[] = TASK_COLUMNS;

/** The index value of a task key: its SHA-256 in hex (null for no key). */
export function taskKeyHash(taskKey: string | null): string | null {
  return taskKey === null ? null : createHash('sha256').update(taskKey, 'utf8').digest('hex');
}

/** A task as the row an insert writes. */
export function taskRow(task: StoredTask): DbRow {
  const row: DbRow = {};
  for (const [column, field] of STORED_TASK_COLUMNS) row[column] = task[field];
  row.task_key_hash = taskKeyHash(task.taskKey);
  return row;
}

/** The rows of `items` in chunks of at most `size` (statements stay under every driver's parameter limit). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
