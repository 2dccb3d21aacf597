/**
 * Records ↔ what Redis stores: a task is a hash of its columns (a null field is absent), history
 * rows are sorted-set members (a fixed-width ordering prefix, then a JSON array). Everything read
 * back goes through the kit's checked row readers.
 */
import { StorageError, type ExecutionLogEntry, type RunAuditEntry, type StatusAuditEntry, type StoredTask } from 'evertask';
import { TASK_COLUMNS, describeValue, rowReaders, taskParameters, type Row } from 'evertask/storage-kit';

/** The kit's checked row readers, named for this storage's messages. */
export const readers = rowReaders('RedisStorage');

/** Width of the sequence prefix the scripts put before audit rows (`%016x`). */
const AUDIT_SEQUENCE_WIDTH = 16;
/** Width of a log's sequence in its member. */
const LOG_SEQUENCE_WIDTH = 10;
const UUID_LENGTH = 36;

/** The largest |time| a Date holds: created keys are offset by it so that they never go negative. */
const DATE_RANGE_MS = 8_640_000_000_000_000n;

/** A value as the scripts read it: its text, or null. */
export function encodeValue(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * JSON of script arguments. Lone UTF-16 surrogates (which Redis's JSON decoder rejects, and no
 * UTF-8 text can hold) become U+FFFD, as they would in any UTF-8 write.
 */
export function scriptJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (!/\\ud[89a-f]/i.test(json)) return json;
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? (item as string & { toWellFormed(): string }).toWellFormed() : item));
}

/** `createdAt` as fixed-width text whose order is the time order (the lex indexes' member prefix). */
export function createdKey(createdAt: number): string {
  return (BigInt(createdAt) + DATE_RANGE_MS).toString().padStart(17, '0');
}

/** The time of a created key (`createdKey`'s inverse). */
export function createdAtOfKey(key: string): number {
  return Number(BigInt(key) - DATE_RANGE_MS);
}

/** A new task as the scripts read it: its columns (table order, text or null), then its created key. */
export function taskRow(task: StoredTask): (string | null)[] {
  const row = taskParameters(task).map(encodeValue);
  row.push(createdKey(task.createdAt));
  return row;
}

/** A task hash (field → text) as a `StoredTask`, every column checked; undefined for an empty hash. */
export function readTaskHash(hash: Readonly<Record<string, string>>): StoredTask | undefined {
  if (hash.id === undefined && Object.keys(hash).length === 0) return undefined;
  const row: Record<string, unknown> = {};
  for (const column of TASK_COLUMNS) row[column] = hash[column] ?? null;
  return readers.task(row);
}

/**
 * A task's columns as the claim script returns them (TASK_COLUMNS order, `false` for null) as a
 * task, with `written` (columns the script set after reading them) applied.
 */
export function readTaskColumns(values: readonly (string | false)[], written: Readonly<Record<string, string>> = {}): StoredTask {
  const row: Record<string, unknown> = {};
  TASK_COLUMNS.forEach((column, index) => {
    const value = written[column] ?? values[index];
    row[column] = value === false || value === undefined ? null : value;
  });
  return readers.task(row);
}

/** The body of a status-audit member (the script adds the sequence prefix). */
export function statusAuditBody(status: string, at: number, error: string | null, actor: string | null = null): string {
  return JSON.stringify([status, String(at), error, actor]);
}

/** The body of a run-audit member (the script adds the sequence prefix). */
export function runAuditBody(run: Omit<RunAuditEntry, 'taskId'>): string {
  return JSON.stringify([String(run.at), run.status, run.executionTimeMs === null ? null : String(run.executionTimeMs), run.error]);
}

/** A log's member: `<sequence>:<id>` (the tie order after `at`, its score) then its JSON. */
export function logMember(log: ExecutionLogEntry): string {
  return `${String(log.sequence).padStart(LOG_SEQUENCE_WIDTH, '0')}:${log.id}${JSON.stringify([String(log.at), log.level, log.message, log.exception])}`;
}

function parseBody(member: string, start: number, key: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(member.slice(start));
  } catch (error) {
    throw malformed(member, key, error);
  }
  if (!Array.isArray(value)) throw malformed(member, key);
  return value;
}

function malformed(member: string, key: string, cause?: unknown): StorageError {
  return new StorageError(
    `RedisStorage read a malformed member ${describeValue(member.slice(0, 120))} in "${key}": it is not a row EverTask wrote. ` +
      'The stored data was changed outside EverTask; delete the member or the key.',
    { cause },
  );
}

/** A status-audit member of task `taskId` (read from `key`). */
export function readStatusAuditMember(taskId: string, member: string, key: string): StatusAuditEntry {
  const [status, at, error, actor] = parseBody(member, AUDIT_SEQUENCE_WIDTH, key);
  return readers.statusAudit({ task_id: taskId, status, at, error, actor: actor ?? null } satisfies Row);
}

/** A run-audit member of task `taskId`. */
export function readRunAuditMember(taskId: string, member: string, key: string): RunAuditEntry {
  const [at, status, executionTimeMs, error] = parseBody(member, AUDIT_SEQUENCE_WIDTH, key);
  return readers.runAudit({ task_id: taskId, at, status, execution_time_ms: executionTimeMs, error } satisfies Row);
}

/** A log member of task `taskId`. */
export function readLogMember(taskId: string, member: string, key: string): ExecutionLogEntry {
  const idStart = LOG_SEQUENCE_WIDTH + 1;
  const [at, level, message, exception] = parseBody(member, idStart + UUID_LENGTH, key);
  return readers.executionLog({
    id: member.slice(idStart, idStart + UUID_LENGTH),
    task_id: taskId,
    at,
    level,
    message,
    exception,
    sequence: member.slice(0, LOG_SEQUENCE_WIDTH),
  } satisfies Row);
}
