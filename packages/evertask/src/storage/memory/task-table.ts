import { CreationOrder } from '../../collections/creation-order.js';
import { QueueTimeIndex } from '../../collections/queue-time-index.js';
import type { StoredTask, TaskStatus } from '../../ports/task-record.js';

function isWaitingLike(status: TaskStatus): boolean {
  return status === 'waiting' || status === 'service-stopped';
}

function isLeased(status: TaskStatus): boolean {
  return status === 'queued' || status === 'in-progress';
}

function isActive(status: TaskStatus): boolean {
  return status !== 'completed' && status !== 'failed' && status !== 'cancelled';
}

/** Position in the due index: the due time of a `waiting`/`service-stopped` task, else null. */
function dueKey(status: TaskStatus, dueAt: number | null): number | null {
  return isWaitingLike(status) ? dueAt : null;
}

/** Position in the lease index: the lease expiry of a `queued`/`in-progress` task, else null. */
function leaseKey(status: TaskStatus, leaseExpiresAt: number | null): number | null {
  return isLeased(status) ? leaseExpiresAt : null;
}

/** Owner of a live lease (`queued`/`in-progress`), else null. */
function ownerKey(status: TaskStatus, leaseOwner: string | null): string | null {
  return isLeased(status) ? leaseOwner : null;
}

/** What the indexes know of a task. */
export interface IndexState {
  readonly status: TaskStatus;
  readonly queue: string;
  readonly name: string;
  readonly dueAt: number | null;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
}

function indexState(task: StoredTask): IndexState {
  return { status: task.status, queue: task.queue, name: task.name, dueAt: task.dueAt, leaseOwner: task.leaseOwner, leaseExpiresAt: task.leaseExpiresAt };
}

/** The state of a task that is not stored (before insertion, after deletion). */
const ABSENT: IndexState = { status: 'completed', queue: '', name: '', dueAt: null, leaseOwner: null, leaseExpiresAt: null };

/**
 * The stored task records of a `MemoryStorage` with every index kept in step with them: by id, by
 * task key, per-(queue, task name) time indexes of due tasks (`waiting`/`service-stopped` by `dueAt`) and of
 * leases (`queued`/`in-progress` by `leaseExpiresAt`), lease owner → task ids, and the
 * (createdAt, id) order of non-terminal tasks. Every change of a record goes through `insert`,
 * `delete` or `mutate`.
 */
export class TaskTable {
  readonly #tasks = new Map<string, StoredTask>();
  readonly #byKey = new Map<string, string>();
  /** Due `waiting`/`service-stopped` tasks per queue and task name, by `dueAt`. */
  readonly due = new QueueTimeIndex();
  /** Leased `queued`/`in-progress` tasks per queue and task name, by `leaseExpiresAt`. */
  readonly leases = new QueueTimeIndex();
  /** Non-terminal tasks by (createdAt, id). */
  readonly order = new CreationOrder();
  readonly #owners = new Map<string, Set<string>>();

  get(id: string): StoredTask | undefined {
    return this.#tasks.get(id);
  }

  has(id: string): boolean {
    return this.#tasks.has(id);
  }

  /** The task holding `taskKey`, if any. */
  byKey(taskKey: string): StoredTask | undefined {
    const id = this.#byKey.get(taskKey);
    return id === undefined ? undefined : this.#tasks.get(id);
  }

  hasKey(taskKey: string): boolean {
    return this.#byKey.has(taskKey);
  }

  /** The ids of the live leases held by `owner`. */
  ownedBy(owner: string): ReadonlySet<string> | undefined {
    return this.#owners.get(owner);
  }

  values(): IterableIterator<StoredTask> {
    return this.#tasks.values();
  }

  insert(task: StoredTask): void {
    this.#tasks.set(task.id, task);
    if (task.taskKey !== null) this.#byKey.set(task.taskKey, task.id);
    this.#reindex(task, ABSENT, task);
  }

  delete(task: StoredTask): void {
    this.#reindex(task, task, ABSENT);
    this.#tasks.delete(task.id);
    if (task.taskKey !== null && this.#byKey.get(task.taskKey) === task.id) this.#byKey.delete(task.taskKey);
  }

  /** Runs `change` on the stored record and keeps every index in step with it. */
  mutate(task: StoredTask, change: (task: StoredTask) => void): void {
    const before = indexState(task);
    change(task);
    this.#reindex(task, before, task);
  }

  /**
   * What the indexes know of `task` now: change the record, then pass this to `reindex` (the
   * closure-free form of `mutate`, for the hot paths).
   */
  snapshot(task: StoredTask): IndexState {
    return indexState(task);
  }

  /** Moves a changed `task` in every index from where `before` (its `snapshot`) put it. */
  reindex(task: StoredTask, before: IndexState): void {
    this.#reindex(task, before, task);
  }

  /** Moves `task` in every index from where `before` put it to where `after` puts it. */
  #reindex(task: StoredTask, before: IndexState, after: IndexState): void {
    const id = task.id;
    const dueBefore = dueKey(before.status, before.dueAt);
    const dueAfter = dueKey(after.status, after.dueAt);
    const moved = before.queue !== after.queue || before.name !== after.name;
    if (dueBefore !== dueAfter || moved) {
      this.due.move(id, before.queue, before.name, dueBefore, after.queue, after.name, dueAfter);
    }
    const leaseBefore = leaseKey(before.status, before.leaseExpiresAt);
    const leaseAfter = leaseKey(after.status, after.leaseExpiresAt);
    if (leaseBefore !== leaseAfter || moved) {
      this.leases.move(id, before.queue, before.name, leaseBefore, after.queue, after.name, leaseAfter);
    }
    this.#moveOwner(id, ownerKey(before.status, before.leaseOwner), ownerKey(after.status, after.leaseOwner));
    const wasActive = before !== ABSENT && isActive(before.status);
    const isNowActive = after !== ABSENT && isActive(after.status);
    if (wasActive && !isNowActive) this.order.delete(id);
    else if (!wasActive && isNowActive) this.order.add(id, task.createdAt);
  }

  #moveOwner(id: string, before: string | null, after: string | null): void {
    if (before === after) return;
    if (before !== null) {
      const owned = this.#owners.get(before);
      owned?.delete(id);
      if (owned?.size === 0) this.#owners.delete(before);
    }
    if (after !== null) {
      let owned = this.#owners.get(after);
      if (owned === undefined) {
        owned = new Set();
        this.#owners.set(after, owned);
      }
      owned.add(id);
    }
  }
}
