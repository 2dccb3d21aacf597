import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7, type StoredTask } from 'evertask';

/** A fresh temporary directory; `cleanup()` removes it with everything inside. */
export function tempDir(label = 'evertask-sqlite-'): { dir: string; file: (name?: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), label));
  return {
    dir,
    file: (name = 'tasks.db') => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const T0 = Date.UTC(2026, 0, 1);

/** A valid stored task; `overrides` replace fields. */
export function makeTask(overrides: Partial<StoredTask> = {}): StoredTask {
  const createdAt = overrides.createdAt ?? T0;
  return {
    id: uuidv7(createdAt),
    name: 'send-email',
    payload: '{"to":"a@b.c"}',
    status: 'waiting',
    queue: 'default',
    taskKey: null,
    auditLevel: 'full',
    createdAt,
    updatedAt: createdAt,
    scheduledAt: null,
    dueAt: createdAt,
    attempts: 0,
    lastExecutionAt: null,
    executionTimeMs: null,
    error: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    recoveryFailures: 0,
    recurring: null,
    recurringInfo: null,
    runCount: 0,
    maxRuns: null,
    runUntil: null,
    lastOutcome: null,
    ...overrides,
  };
}
