/** Rows → records (through the kit's checked row readers) and records → parameters. */
import type { StoredTask } from 'evertask';
import { TASK_FIELDS, rowReaders, type FieldType, type TaskColumn } from 'evertask/storage-kit';

const STORAGE = 'PostgresStorage';

/** The PostgreSQL type that holds each kind of field (`int4` holds a count, `int8` a time). */
const PG_TYPE_OF: Readonly<Record<FieldType, string>> = {
  uuid: 'uuid',
  name: 'text',
  text: 'text',
  status: 'text',
  'audit-level': 'text',
  outcome: 'text',
  'log-level': 'text',
  time: 'int8',
  count: 'int4',
  duration: 'float8',
};

/** PostgreSQL type of each tasks column, for casts such as `unnest($n::type[])`. */
export const TASK_COLUMN_TYPES = Object.fromEntries(TASK_FIELDS.map((spec) => [spec.column, PG_TYPE_OF[spec.type]])) as Readonly<
  Record<TaskColumn, string>
>;

/** Task columns as selected (ids as text). */
export function taskSelectList(alias?: string): string {
  const prefix = alias === undefined ? '' : `${alias}.`;
  return TASK_FIELDS.map(({ column }) => (column === 'id' ? `${prefix}id::text AS id` : `${prefix}${column}`)).join(', ');
}

/** A tasks row as `pg` returns it (int8 as text). */
export type TaskRow = Record<TaskColumn, unknown>;

/** The kit's checked row readers, named for this storage's messages. */
export const readers = rowReaders(STORAGE);

/**
 * A PostgreSQL array literal (`{"a","b",NULL,1}`) for one column of `add`: every text element
 * quoted, with backslashes and double quotes escaped; numbers as written; null as NULL. The
 * statement casts it (`$1::text[]`, `$8::int8[]`…). Cheaper than the driver's generic array
 * encoding, which matters for thousand-row inserts.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number') parts[i] = String(v);
    else {
      const text = String(v);
      parts[i] = text.includes('"') || text.includes('\\') ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

const FIELD_AT = TASK_FIELDS.map((spec) => spec.field);

/** The value of column number `col` (in `TASK_COLUMNS` order) of a task. */
export function taskValue(task: StoredTask, col: number): unknown {
  return task[FIELD_AT[col] as keyof StoredTask];
}
