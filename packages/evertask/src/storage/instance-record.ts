import { InvalidArgumentError } from '../errors.js';
import type { InstanceRecord } from '../ports/task-storage.js';
import { describeValue } from '../recurring/zoned-time.js';

/** How long after its expiry a storage may still list a dead instance (1 hour) before forgetting it. */
export const INSTANCE_RECORD_RETENTION_MS = 3_600_000;

const TIME_FIELDS = ['startedAt', 'heartbeatAt', 'expiresAt'] as const;
const INT32_MAX = 2_147_483_647;

function fail(operation: string, field: string, value: unknown, expected: string): never {
  throw new InvalidArgumentError(`${operation}: instance.${field} must be ${expected}; got ${describeValue(value)}.`);
}

/**
 * Throws `InvalidArgumentError` naming the field unless `value` is a complete `InstanceRecord`:
 * every adapter checks what `heartbeatInstance` receives with this, so bad input never reaches a row.
 */
export function checkInstanceRecord(value: unknown, operation: string): InstanceRecord {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(`${operation}: "instance" must be an InstanceRecord object; got ${describeValue(value)}.`);
  }
  const r = value as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > 200) fail(operation, 'id', r.id, 'a string of 1–200 characters');
  if (typeof r.hostname !== 'string') fail(operation, 'hostname', r.hostname, 'a string');
  if (!Number.isInteger(r.pid) || (r.pid as number) < 0 || (r.pid as number) > INT32_MAX) fail(operation, 'pid', r.pid, 'a non-negative 32-bit integer');
  for (const field of TIME_FIELDS) {
    if (!Number.isSafeInteger(r[field])) fail(operation, field, r[field], 'an integer number of epoch milliseconds');
  }
  if (!Array.isArray(r.queues) || !r.queues.every((q) => typeof q === 'string' && q.length > 0)) {
    fail(operation, 'queues', r.queues, 'an array of queue names');
  }
  return r as unknown as InstanceRecord;
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
