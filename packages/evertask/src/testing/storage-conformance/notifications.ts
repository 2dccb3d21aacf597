import { expect, vi } from 'vitest';
import type { TestContext } from 'vitest';
import { uuidv7 } from '../../ids.js';
import type { NotificationChannel, StorageNotification, TaskStorage } from '../../ports/task-storage.js';
import { T } from './fixtures.js';
import type { Register } from './fixtures.js';

// ---- notifications -----------------------------------------------------------------------------

function notifying(s: TaskStorage, context: TestContext): NotificationChannel {
  if (s.notifications === undefined) context.skip('the storage has no notifications');
  return s.notifications;
}

export function registerNotificationTests(test: Register): void {
  test('delivers notifications to subscribers until they unsubscribe', async (s, context) => {
    const channel = notifying(s, context);
    const a: StorageNotification[] = [];
    const b: StorageNotification[] = [];
    const stopA = await channel.subscribe((n) => a.push(n));
    const stopB = await channel.subscribe((n) => b.push(n));
    const taskId = uuidv7();
    await channel.notify({ kind: 'task-available', dueAt: T + 5, taskId });
    await vi.waitFor(
      () => {
        expect(a).toHaveLength(1);
        expect(b).toHaveLength(1);
      },
      { timeout: 5000, interval: 5 },
    );
    expect(a[0]).toEqual({ kind: 'task-available', dueAt: T + 5, taskId });
    await stopA();
    await channel.notify({ kind: 'task-cancelled', taskId });
    await vi.waitFor(() => expect(b).toHaveLength(2), { timeout: 5000, interval: 5 });
    expect(b[1]).toEqual({ kind: 'task-cancelled', taskId });
    expect(a).toHaveLength(1);
    await stopB();
  });

  test('a throwing listener does not affect the other listeners', async (s, context) => {
    const channel = notifying(s, context);
    const received: StorageNotification[] = [];
    await channel.subscribe(() => {
      throw new Error('listener failure');
    });
    await channel.subscribe((n) => received.push(n));
    await channel.notify({ kind: 'task-available' });
    await channel.notify({ kind: 'task-available', dueAt: T });
    await vi.waitFor(() => expect(received).toHaveLength(2), { timeout: 5000, interval: 5 });
    expect(received[0]?.kind).toBe('task-available');
  });
}
