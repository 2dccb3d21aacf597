/** Rows → records (through the kit's checked row readers) and records → parameters. */
import type { StoredTask } from 'evertask';
import { rowReaders, taskParameters } from 'evertask/storage-kit';

const STORAGE = 'SqliteStorage';

export type SqlValue = string | number | bigint | null;

/** Parameters of the single-row task insert, in `TASK_COLUMNS` order. */
export function taskToParams(task: StoredTask): SqlValue[] {
  return taskParameters(task) as SqlValue[];
}

/** The kit's checked row readers, named for this storage's messages. */
export const readers = rowReaders(STORAGE);

/** A checked patch value for binding (`undefined` never reaches here: the kit drops unset fields). */
export function toSqlValue(value: unknown): SqlValue {
  return value === undefined ? null : (value as SqlValue);
}
