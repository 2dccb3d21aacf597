import { InvalidArgumentError } from '../errors.js';
import type { InstanceRecord } from '../ports/task-storage.js';
import { describeValue } from '../describe-value.js';
import { isTime } from './field-types.js';

/** How long after its expiry a storage may still list a dead instance (1 hour) before forgetting it. */
export const INSTANCE_RECORD_RETENTION_MS = 3_600_000;

const TIME_FIELDS = ['startedAt', 'heartbeatAt', 'expiresAt'] as const;
const INT32_MAX = 2_147_483_647;

function invalidField(operation: string, field: string, value: unknown, expected: string): InvalidArgumentError {
  return new InvalidArgumentError(`${operation}: instance.${field} must be ${expected}; got ${describeValue(value)}.`);
}

/**
 * Throws `InvalidArgumentError` naming the field unless `value` is a complete `InstanceRecord`:
 * every adapter checks what `heartbeatInstance` receives with this, so bad input never reaches a row.
 */
export function checkInstanceRecord(value: unknown, operation: string): InstanceRecord {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(`${operation}: "instance" must be an InstanceRecord object; got ${describeValue(value)}.`);
  }
  const record = value as Record<string, unknown>;
  if (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > 200) throw invalidField(operation, 'id', record.id, 'a string of 1–200 characters');
  if (typeof record.hostname !== 'string') throw invalidField(operation, 'hostname', record.hostname, 'a string');
  if (!Number.isInteger(record.pid) || (record.pid as number) < 0 || (record.pid as number) > INT32_MAX) throw invalidField(operation, 'pid', record.pid, 'a non-negative 32-bit integer');
  for (const field of TIME_FIELDS) {
    if (!isTime(record[field])) throw invalidField(operation, field, record[field], 'an integer number of epoch milliseconds within ±8640000000000000');
  }
  if (!Array.isArray(record.queues) || !record.queues.every((queue) => typeof queue === 'string' && queue.length > 0)) {
    throw invalidField(operation, 'queues', record.queues, 'an array of queue names');
  }
  if (!Array.isArray(record.taskNames) || !record.taskNames.every((name) => typeof name === 'string' && name.length > 0)) {
    throw invalidField(operation, 'taskNames', record.taskNames, 'an array of task names');
  }
  return record as unknown as InstanceRecord;
}

/** Throws `InvalidArgumentError` unless `id` is an instance id (a string of 1–200 characters). */
export function checkInstanceId(id: unknown, operation: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) {
    throw new InvalidArgumentError(`${operation}: "id" must be a string of 1–200 characters; got ${describeValue(id)}.`);
  }
  return id;
}

/** Registry order: by start time, then id. */
export function compareInstances(a: InstanceRecord, b: InstanceRecord): number {
  return a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
