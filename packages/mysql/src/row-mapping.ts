/** Rows → records (through the kit's checked row readers) and records → parameters. */
import { TASK_COLUMNS, rowReaders } from 'evertask/storage-kit';

/** The kit's checked row readers, named for this storage's messages. */
export const readers = rowReaders('MySqlStorage');

/** Task columns as selected (optionally qualified by a table alias). */
export function taskSelectList(alias?: string): string {
  const prefix = alias === undefined ? '' : `${alias}.`;
  return TASK_COLUMNS.map((column) => `${prefix}${column}`).join(', ');
}

/** The task columns as an insert's column list. */
export const TASK_INSERT_COLUMNS = TASK_COLUMNS.join(', ');

/** One row of placeholders for a task insert (`(?, ?, …)`). */
export const TASK_PLACEHOLDERS = `(${TASK_COLUMNS.map(() => '?').join(', ')})`;
