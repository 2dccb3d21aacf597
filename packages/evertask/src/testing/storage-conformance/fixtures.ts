import { expect } from 'vitest';
import type { TestContext } from 'vitest';
import { uuidv7 } from '../../ids.js';
import type { ExecutionLogEntry, StoredTask, TaskStatus } from '../../ports/task-record.js';
import type { StatusCount, TaskStorage } from '../../ports/task-storage.js';
import { newStoredTask } from '../../storage/stored-task.js';

/**
 * A valid task with a fresh UUIDv7 id: `waiting` on the `default` queue, due at its creation
 * time, with every optional field null. Pass overrides for anything else.
 */
export function makeStoredTask(overrides: Partial<StoredTask> = {}): StoredTask {
  const createdAt = overrides.createdAt ?? Date.now();
  return newStoredTask({ id: uuidv7(createdAt), name: 'test-task', payload: '{}', createdAt, ...overrides });
}

/** Base time of every test: 2026-01-01T00:00:00Z. */
export const T = Date.UTC(2026, 0, 1);
export const LEASE = 30_000;
export const STORED_TASK_KEYS = Object.keys(makeStoredTask()).sort();

export function task(overrides: Partial<StoredTask> = {}): StoredTask {
  return makeStoredTask({ createdAt: T, ...overrides });
}

export function log(taskId: string, at: number, sequence: number, overrides: Partial<ExecutionLogEntry> = {}): ExecutionLogEntry {
  return {
    id: uuidv7(at),
    taskId,
    at,
    level: 'information',
    message: `message ${at - T}/${sequence}`,
    exception: null,
    sequence,
    ...overrides,
  };
}

export function ids(tasks: readonly { id: string }[]): string[] {
  return tasks.map((t) => t.id);
}

export function sortedIds(tasks: readonly { id: string }[]): string[] {
  return ids(tasks).sort();
}

export async function rejectsWithCode(promise: Promise<unknown>, ...codes: string[]): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a rejection with code ${codes.join(' or ')}`).toBeInstanceOf(Error);
  expect(codes).toContain((caught as { code?: unknown }).code);
}

export async function claim(storage: TaskStorage, now: number, extra: Partial<Parameters<TaskStorage['claimDue']>[0]> = {}) {
  return storage.claimDue({ owner: 'owner-a', now, limit: 100, leaseMs: LEASE, ...extra });
}

export function byQueueAndStatus(cells: readonly StatusCount[]): StatusCount[] {
  return [...cells].sort((a, b) => `${a.queue}/${a.status}`.localeCompare(`${b.queue}/${b.status}`));
}

export function cell(queue: string, status: TaskStatus, count: number): StatusCount {
  return { queue, status, count };
}

export type ConformanceTest = (storage: TaskStorage, context: TestContext) => Promise<void>;

/** Registers one conformance test (the suite wraps it with the skip list and a fresh storage). */
export type Register = (title: string, body: ConformanceTest) => void;
