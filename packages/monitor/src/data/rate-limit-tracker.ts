import type { EngineEvent } from './monitor-source.js';

interface ParkedTask {
  taskName: string;
  queue: string;
  key: string;
  retryAt: number;
}

/** Tasks tracked at once; beyond, the oldest are forgotten. */
const MAX_PARKED = 100_000;

/**
 * The tasks this process holds back for a rate-limit slot, followed from the engine's events:
 * `task:rate-limited` parks a task, its start or end releases it. In-process, as the engine's
 * limiter is (a distributed budget comes with a storage-side limiter).
 */
export class RateLimitTracker {
  readonly #parked = new Map<string, ParkedTask>();

  observe(engineEvent: EngineEvent): void {
    switch (engineEvent.type) {
      case 'task:rate-limited': {
        const { event } = engineEvent;
        this.#parked.delete(event.taskId);
        if (event.rejected) return;
        this.#parked.set(event.taskId, { taskName: event.taskName, queue: event.queue, key: event.key, retryAt: event.retryAt });
        if (this.#parked.size > MAX_PARKED) this.#parked.delete(this.#parked.keys().next().value as string);
        return;
      }
      case 'task:started':
      case 'task:completed':
      case 'task:failed':
      case 'task:cancelled':
      case 'task:stopped':
        this.#parked.delete(engineEvent.event.taskId);
        return;
      default:
        return;
    }
  }

  /** Parked tasks per queue. */
  byQueue(): Map<string, number> {
    const out = new Map<string, number>();
    for (const task of this.#parked.values()) out.set(task.queue, (out.get(task.queue) ?? 0) + 1);
    return out;
  }

  /** Parked tasks per (task name, queue, key) with the earliest slot. */
  keys(): { taskName: string; queue: string; key: string; parkedCount: number; nextSlotAt: number }[] {
    const groups = new Map<string, { taskName: string; queue: string; key: string; parkedCount: number; nextSlotAt: number }>();
    for (const task of this.#parked.values()) {
      const id = JSON.stringify([task.taskName, task.queue, task.key]);
      const group = groups.get(id);
      if (group === undefined) groups.set(id, { taskName: task.taskName, queue: task.queue, key: task.key, parkedCount: 1, nextSlotAt: task.retryAt });
      else {
        group.parkedCount++;
        group.nextSlotAt = Math.min(group.nextSlotAt, task.retryAt);
      }
    }
    return [...groups.values()].sort((a, b) => a.nextSlotAt - b.nextSlotAt);
  }

  get size(): number {
    return this.#parked.size;
  }
}
