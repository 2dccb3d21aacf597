import { IndexedMinHeap } from '../../collections/indexed-min-heap.js';
import { StorageError, TaskKeyConflictError } from '../../errors.js';
import type {
  ExecutionLogEntry,
  RunAuditEntry,
  StatusAuditEntry,
  StoredTask,
  TaskPatch,
  TaskStatus,
} from '../../ports/task-record.js';
import type {
  AddOptions,
  ClaimRequest,
  InstanceRecord,
  NewTask,
  PendingCursor,
  RetentionPolicy,
  RetentionResult,
  StatusCount,
  StorageCapabilities,
  StorageNotification,
  TaskFilter,
  TaskPage,
  TaskQueryResult,
  TaskSortField,
  TaskStorage,
  TaskTransition,
} from '../../ports/task-storage.js';
import { checkInstanceId, checkInstanceRecord, compareInstances, INSTANCE_RECORD_RETENTION_MS } from '../../storage-kit/instance-checks.js';
import { applyPatch } from '../../storage-kit/record-checks.js';
import { StorageChecks } from '../../storage-kit/storage-checks.js';
import { DEFAULT_LOG_PAGE_SIZE } from '../../storage-kit/task-page.js';
import { copyTaskFields } from '../../storage-kit/task-fields.js';

const checks = new StorageChecks('MemoryStorage');

function copyLog(log: ExecutionLogEntry, taskId: string): ExecutionLogEntry {
  return {
    id: log.id,
    taskId,
    at: log.at,
    level: log.level,
    message: log.message,
    exception: log.exception,
    sequence: log.sequence,
  };
}

// ---- ordering ----------------------------------------------------------------------------------

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareLogs(a: ExecutionLogEntry, b: ExecutionLogEntry): number {
  return a.at - b.at || a.sequence - b.sequence || compareStrings(a.id, b.id);
}

/** Inserts `item` after every element that does not sort after it (stable for equal keys). */
function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  const last = list[list.length - 1];
  if (last === undefined || compare(last, item) <= 0) {
    list.push(item);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(list[mid] as T, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}

interface OrderEntry {
  readonly createdAt: number;
  readonly id: string;
  live: boolean;
}

function compareOrder(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number {
  return a.createdAt - b.createdAt || compareStrings(a.id, b.id);
}

/**
 * Non-terminal task ids sorted by (createdAt, id) for keyset paging. Appends are O(1) when tasks
 * arrive in creation order (the usual case); deletions are lazy and compacted in amortised O(1).
 */
class CreationOrder {
  #entries: OrderEntry[] = [];
  #live = new Map<string, OrderEntry>();
  #stale = 0;

  add(id: string, createdAt: number): void {
    if (this.#live.has(id)) return;
    const entry: OrderEntry = { createdAt, id, live: true };
    insertSorted(this.#entries, entry, compareOrder);
    this.#live.set(id, entry);
  }

  delete(id: string): void {
    const entry = this.#live.get(id);
    if (entry === undefined) return;
    entry.live = false;
    this.#live.delete(id);
    this.#stale++;
    if (this.#stale > 1024 && this.#stale * 2 > this.#entries.length) this.#compact();
  }

  /** Up to `limit` live ids strictly after the cursor. */
  after(cursor: PendingCursor | undefined, limit: number): string[] {
    const entries = this.#entries;
    let lo = 0;
    if (cursor !== undefined) {
      let hi = entries.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareOrder(entries[mid] as OrderEntry, cursor) <= 0) lo = mid + 1;
        else hi = mid;
      }
    }
    const ids: string[] = [];
    for (let i = lo; i < entries.length && ids.length < limit; i++) {
      const entry = entries[i] as OrderEntry;
      if (entry.live) ids.push(entry.id);
    }
    return ids;
  }

  clear(): void {
    this.#entries = [];
    this.#live.clear();
    this.#stale = 0;
  }

  #compact(): void {
    this.#entries = this.#entries.filter((e) => e.live);
    this.#stale = 0;
  }
}

// ---- time indexes ------------------------------------------------------------------------------

/** Ids sharing one time, in insertion order; removals are lazy (checked against `timeOf`). */
interface Bucket {
  ids: string[];
  head: number;
  live: number;
}

/**
 * Ids ordered by a time (due time or lease expiry), earliest first, ties in insertion order.
 *
 * An `IndexedMinHeap` orders the distinct times and each time keeps a bucket of its ids. Tasks
 * dispatched, claimed or renewed together share a time, so the heap stays small and most moves
 * are O(1); a move between distinct times costs O(log n).
 */
class TimeIndex {
  readonly #times = new IndexedMinHeap<number>();
  readonly #buckets = new Map<number, Bucket>();
  readonly #timeOf = new Map<string, number>();

  get size(): number {
    return this.#timeOf.size;
  }

  set(id: string, time: number): void {
    const old = this.#timeOf.get(id);
    if (old === time) return;
    if (old !== undefined) this.#detach(old);
    this.#timeOf.set(id, time);
    let bucket = this.#buckets.get(time);
    if (bucket === undefined) {
      bucket = { ids: [], head: 0, live: 0 };
      this.#buckets.set(time, bucket);
      this.#times.set(time, time);
    }
    bucket.ids.push(id);
    bucket.live++;
  }

  delete(id: string): void {
    const old = this.#timeOf.get(id);
    if (old === undefined) return;
    this.#timeOf.delete(id);
    this.#detach(old);
  }

  /** The earliest time, or undefined when empty. */
  peekTime(): number | undefined {
    return this.#times.peekPriority();
  }

  /** The first id at the earliest time. */
  peekId(): string | undefined {
    const time = this.#times.peek();
    if (time === undefined) return undefined;
    const bucket = this.#buckets.get(time) as Bucket;
    while (bucket.head < bucket.ids.length) {
      const id = bucket.ids[bucket.head] as string;
      if (this.#timeOf.get(id) === time) return id;
      bucket.head++;
    }
    return undefined;
  }

  ids(): IterableIterator<string> {
    return this.#timeOf.keys();
  }

  #detach(time: number): void {
    const bucket = this.#buckets.get(time) as Bucket;
    bucket.live--;
    if (bucket.live === 0) {
      this.#buckets.delete(time);
      this.#times.delete(time);
    } else if (bucket.ids.length - bucket.head > 2 * bucket.live + 64) {
      this.#compact(bucket, time);
    }
  }

  /** Drops stale and duplicate entries so a bucket never grows far beyond its live ids. */
  #compact(bucket: Bucket, time: number): void {
    const seen = new Set<string>();
    const ids: string[] = [];
    for (let i = bucket.head; i < bucket.ids.length; i++) {
      const id = bucket.ids[i] as string;
      if (this.#timeOf.get(id) === time && !seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
    bucket.ids = ids;
    bucket.head = 0;
  }
}

/** One `TimeIndex` per queue, so a claim restricted to some queues never looks at the others. */
class QueueTimes {
  readonly #indexes = new Map<string, TimeIndex>();

  /** Moves `id` from where it was (`before`) to where it belongs now (`after`); null = absent. */
  move(id: string, beforeQueue: string, before: number | null, afterQueue: string, after: number | null): void {
    if (before !== null && (after === null || beforeQueue !== afterQueue)) {
      const index = this.#indexes.get(beforeQueue);
      if (index !== undefined) {
        index.delete(id);
        if (index.size === 0) this.#indexes.delete(beforeQueue);
      }
    }
    if (after === null) return;
    let index = this.#indexes.get(afterQueue);
    if (index === undefined) {
      index = new TimeIndex();
      this.#indexes.set(afterQueue, index);
    }
    index.set(id, after);
  }

  /** The indexes of the given queues (all when omitted). */
  select(queues: readonly string[] | undefined): TimeIndex[] {
    if (queues === undefined) return [...this.#indexes.values()];
    const selected: TimeIndex[] = [];
    for (const queue of new Set(queues)) {
      const index = this.#indexes.get(queue);
      if (index !== undefined) selected.push(index);
    }
    return selected;
  }

  *ids(): IterableIterator<string> {
    for (const index of this.#indexes.values()) yield* index.ids();
  }
}

/** The index among `indexes` with the earliest time, or undefined when all are empty. */
function earliest(indexes: readonly TimeIndex[]): TimeIndex | undefined {
  let best: TimeIndex | undefined;
  let bestTime = Infinity;
  for (const index of indexes) {
    const time = index.peekTime();
    if (time !== undefined && (best === undefined || time < bestTime)) {
      best = index;
      bestTime = time;
    }
  }
  return best;
}

// ---- index keys --------------------------------------------------------------------------------

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
interface IndexState {
  readonly status: TaskStatus;
  readonly queue: string;
  readonly dueAt: number | null;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
}

function indexState(task: StoredTask): IndexState {
  return { status: task.status, queue: task.queue, dueAt: task.dueAt, leaseOwner: task.leaseOwner, leaseExpiresAt: task.leaseExpiresAt };
}

/** The state of a task that is not stored (before insertion, after deletion). */
const ABSENT: IndexState = { status: 'completed', queue: '', dueAt: null, leaseOwner: null, leaseExpiresAt: null };

// ---- queries -----------------------------------------------------------------------------------

function includesFolded(haystack: string | null, needle: string): boolean {
  return haystack !== null && haystack.toLowerCase().includes(needle);
}

function matchesFilter(task: StoredTask, filter: TaskFilter): boolean {
  if (filter.ids !== undefined && !filter.ids.includes(task.id)) return false;
  if (filter.statuses !== undefined && !filter.statuses.includes(task.status)) return false;
  if (filter.name !== undefined && task.name !== filter.name) return false;
  if (filter.nameContains !== undefined && !includesFolded(task.name, filter.nameContains.toLowerCase())) return false;
  if (filter.queue !== undefined && task.queue !== filter.queue) return false;
  if (filter.taskKey !== undefined && task.taskKey !== filter.taskKey) return false;
  if (filter.recurring !== undefined && (task.recurring !== null) !== filter.recurring) return false;
  if (filter.createdAfter !== undefined && task.createdAt < filter.createdAfter) return false;
  if (filter.createdBefore !== undefined && task.createdAt >= filter.createdBefore) return false;
  if (filter.search !== undefined) {
    const needle = filter.search.toLowerCase();
    if (!includesFolded(task.name, needle) && !includesFolded(task.taskKey, needle)) return false;
  }
  return true;
}

/** Compares two sort values; nulls sort last in both directions. */
function compareSortValues(a: string | number | null, b: string | number | null, descending: boolean): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const order = typeof a === 'number' && typeof b === 'number' ? a - b : compareStrings(String(a), String(b));
  return descending ? -order : order;
}

/** A copy of a stored record (which has exactly the fields of `StoredTask`). */
function copyTask(task: StoredTask): StoredTask {
  return { ...task };
}

function taskComparator(sortBy: TaskSortField, descending: boolean): (a: StoredTask, b: StoredTask) => number {
  return (a, b) => {
    const byField = compareSortValues(a[sortBy], b[sortBy], descending);
    if (byField !== 0) return byField;
    const byId = compareStrings(a.id, b.id);
    return descending ? -byId : byId;
  };
}

// ---- the storage -------------------------------------------------------------------------------

type Listener = (notification: StorageNotification) => void;

/**
 * The in-memory reference implementation of {@link TaskStorage}, and the engine's default storage.
 *
 * Every hot operation is O(log n) or better: tasks live in a `Map` by id, with a task-key index,
 * per-queue time indexes (an `IndexedMinHeap` of distinct times, each with its ids) of due tasks
 * (`waiting`/`service-stopped` by `dueAt`) and of leases (`queued`/`in-progress` by
 * `leaseExpiresAt`), an owner → tasks index for lease renewal, and a (createdAt, id) order of
 * non-terminal tasks for keyset paging. Dashboard queries (`query`, `count`, `scheduled`) and
 * `cleanup` scan.
 *
 * Records are copied in and out, so callers can never change the stored state by mutating an
 * object. Every method runs to completion without yielding, so each call is atomic and concurrent
 * claimers in one process never receive the same task.
 *
 * Data lives only as long as the process (`persistent: false`) and is shared only by engines of
 * the same process that are handed the same instance (`multiProcess: false`); `notify` reaches the
 * listeners of every engine sharing the instance, asynchronously (a listener that throws affects
 * nobody). `close()` drops the subscriptions and makes operations throw `StorageError` until
 * `open()` is called again; the data is kept. The constructor takes no options.
 *
 * Choices where the port leaves room: an empty `queues` list selects no queue; `update` leaves
 * `updatedAt` unchanged (it receives no time); the status-audit row written by `add` is dated
 * `createdAt`; `query` sorts nulls last in both directions and breaks ties by id in the sort
 * direction; `createdAfter` is inclusive and `createdBefore` exclusive; `cleanup` counts only the
 * audit rows and logs removed by age, not the history removed with a deleted task.
 *
 * @example
 * ```ts
 * const storage = new MemoryStorage();
 * const everTask = new EverTask({ storage, tasks: [sendWelcome] });
 * ```
 */
export class MemoryStorage implements TaskStorage {
  readonly capabilities: StorageCapabilities = Object.freeze({
    persistent: false,
    multiProcess: false,
    notifications: true,
    transactionalDispatch: false,
  });

  #closed = false;
  readonly #tasks = new Map<string, StoredTask>();
  readonly #byKey = new Map<string, string>();
  readonly #due = new QueueTimes();
  readonly #leases = new QueueTimes();
  readonly #owners = new Map<string, Set<string>>();
  readonly #instances = new Map<string, InstanceRecord>();
  readonly #order = new CreationOrder();
  readonly #statusAudit = new Map<string, StatusAuditEntry[]>();
  readonly #runAudit = new Map<string, RunAuditEntry[]>();
  readonly #logs = new Map<string, ExecutionLogEntry[]>();
  readonly #listeners = new Set<Listener>();

  async open(): Promise<void> {
    this.#closed = false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }

  // ---- tasks -----------------------------------------------------------------------------------

  async add(tasks: readonly NewTask[], options?: AddOptions): Promise<void> {
    this.#assertOpen();
    this.#checkNewTasks(checks.checkNewTasks(tasks, 'add'));
    const audit = options?.audit === true;
    for (const task of tasks) this.#insert(copyTaskFields(task), audit);
  }

  async get(id: string): Promise<StoredTask | undefined> {
    this.#assertOpen();
    checks.checkId(id, 'get');
    const task = this.#tasks.get(id);
    return task === undefined ? undefined : copyTask(task);
  }

  async getByTaskKey(taskKey: string): Promise<StoredTask | undefined> {
    this.#assertOpen();
    checks.checkText(taskKey, 'getByTaskKey', 'taskKey');
    const id = this.#byKey.get(taskKey);
    const task = id === undefined ? undefined : this.#tasks.get(id);
    return task === undefined ? undefined : copyTask(task);
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    this.#assertOpen();
    checks.checkId(id, 'update');
    checks.checkPatch(patch, 'update');
    if (ifStatus !== undefined) checks.checkStatuses(ifStatus, 'update', 'ifStatus');
    const task = this.#tasks.get(id);
    if (task === undefined || (ifStatus !== undefined && !ifStatus.includes(task.status))) return false;
    this.#mutate(task, () => applyPatch(task, patch));
    return true;
  }

  async remove(id: string): Promise<boolean> {
    this.#assertOpen();
    checks.checkId(id, 'remove');
    const task = this.#tasks.get(id);
    if (task === undefined) return false;
    this.#delete(task);
    return true;
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    this.#assertOpen();
    checks.checkTransitions(changes, 'transition');
    return changes.map((change) => this.#applyTransition(change));
  }

  // ---- work distribution -----------------------------------------------------------------------

  async claimDue(request: ClaimRequest): Promise<StoredTask[]> {
    this.#assertOpen();
    checks.checkClaimRequest(request);
    const { owner, now, limit, leaseMs, queues } = request;
    const indexes = [...this.#due.select(queues), ...this.#leases.select(queues)];
    const claimed: StoredTask[] = [];
    while (claimed.length < limit) {
      const index = earliest(indexes);
      const time = index?.peekTime();
      if (index === undefined || time === undefined || time > now) break;
      const task = this.#tasks.get(index.peekId() as string) as StoredTask;
      const before = indexState(task);
      task.status = 'queued';
      task.leaseOwner = owner;
      task.leaseExpiresAt = now + leaseMs;
      task.updatedAt = now;
      this.#reindex(task, before, task);
      claimed.push(copyTask(task));
    }
    return claimed;
  }

  async renewLeases(owner: string, now: number, leaseMs: number, ids?: readonly string[]): Promise<number> {
    this.#assertOpen();
    checks.checkRenewal(owner, now, leaseMs, ids);
    const owned = this.#owners.get(owner);
    if (owned === undefined) return 0;
    if (ids !== undefined) {
      let renewed = 0;
      for (const id of new Set(ids)) {
        if (!owned.has(id)) continue;
        const task = this.#tasks.get(id) as StoredTask;
        this.#mutate(task, () => {
          task.leaseExpiresAt = now + leaseMs;
        });
        renewed++;
      }
      return renewed;
    }
    for (const id of owned) {
      const task = this.#tasks.get(id) as StoredTask;
      this.#mutate(task, () => {
        task.leaseExpiresAt = now + leaseMs;
      });
    }
    return owned.size;
  }

  async heartbeatInstance(instance: InstanceRecord): Promise<void> {
    this.#assertOpen();
    const record = checkInstanceRecord(instance, 'heartbeatInstance');
    this.#instances.set(record.id, { ...record, queues: [...record.queues] });
    const forgetBefore = record.heartbeatAt - INSTANCE_RECORD_RETENTION_MS;
    for (const [id, other] of this.#instances) if (other.expiresAt < forgetBefore) this.#instances.delete(id);
  }

  async removeInstance(id: string): Promise<void> {
    this.#assertOpen();
    this.#instances.delete(checkInstanceId(id, 'removeInstance'));
  }

  async listInstances(): Promise<InstanceRecord[]> {
    this.#assertOpen();
    return [...this.#instances.values()].map((r) => ({ ...r, queues: [...r.queues] })).sort(compareInstances);
  }

  async nextDueAt(queues?: readonly string[]): Promise<number | undefined> {
    this.#assertOpen();
    checks.checkQueues(queues, 'nextDueAt');
    return earliest([...this.#due.select(queues), ...this.#leases.select(queues)])?.peekTime();
  }

  // ---- queries ---------------------------------------------------------------------------------

  async pending(after: PendingCursor | undefined, limit: number): Promise<StoredTask[]> {
    this.#assertOpen();
    checks.checkPendingCursor(after);
    checks.checkCount(limit, 'pending', 'limit');
    return this.#order.after(after, limit).map((id) => copyTask(this.#tasks.get(id) as StoredTask));
  }

  async scheduled(until: number, limit: number): Promise<StoredTask[]> {
    this.#assertOpen();
    checks.checkTime(until, 'scheduled', 'until');
    checks.checkCount(limit, 'scheduled', 'limit');
    const due: StoredTask[] = [];
    for (const id of this.#due.ids()) {
      const task = this.#tasks.get(id) as StoredTask;
      if (task.status === 'waiting' && (task.dueAt as number) <= until) due.push(task);
    }
    due.sort((a, b) => (a.dueAt as number) - (b.dueAt as number) || compareStrings(a.id, b.id));
    return due.slice(0, limit).map(copyTask);
  }

  async query(filter: TaskFilter, page?: TaskPage): Promise<TaskQueryResult> {
    this.#assertOpen();
    checks.checkFilter(filter, 'query');
    const { offset, limit, sortBy, descending } = checks.checkPage(page);
    const matched = this.#filter(filter);
    matched.sort(taskComparator(sortBy, descending));
    return { items: matched.slice(offset, offset + limit).map(copyTask), total: matched.length };
  }

  async count(filter: TaskFilter = {}): Promise<StatusCount[]> {
    this.#assertOpen();
    checks.checkFilter(filter, 'count');
    const cells = new Map<string, StatusCount>();
    for (const task of this.#filter(filter)) {
      const key = `${task.status}\u0000${task.queue}`;
      const cell = cells.get(key);
      if (cell === undefined) cells.set(key, { queue: task.queue, status: task.status, count: 1 });
      else cell.count++;
    }
    return [...cells.values()].sort((a, b) => compareStrings(a.queue, b.queue) || compareStrings(a.status, b.status));
  }

  // ---- history ---------------------------------------------------------------------------------

  async getStatusAudit(taskId: string): Promise<StatusAuditEntry[]> {
    this.#assertOpen();
    checks.checkId(taskId, 'getStatusAudit', 'taskId');
    return (this.#statusAudit.get(taskId) ?? []).map((row) => ({ ...row }));
  }

  async getRunAudit(taskId: string): Promise<RunAuditEntry[]> {
    this.#assertOpen();
    checks.checkId(taskId, 'getRunAudit', 'taskId');
    return (this.#runAudit.get(taskId) ?? []).map((row) => ({ ...row }));
  }

  async saveExecutionLogs(taskId: string, logs: readonly ExecutionLogEntry[]): Promise<void> {
    this.#assertOpen();
    checks.checkId(taskId, 'saveExecutionLogs', 'taskId');
    checks.checkLogs(logs, 'saveExecutionLogs');
    if (logs.length === 0) return;
    if (!this.#tasks.has(taskId)) throw new StorageError(`MemoryStorage: cannot save logs of unknown task "${taskId}".`);
    this.#appendLogs(taskId, logs);
  }

  async getExecutionLogs(taskId: string, skip = 0, take = DEFAULT_LOG_PAGE_SIZE): Promise<ExecutionLogEntry[]> {
    this.#assertOpen();
    checks.checkId(taskId, 'getExecutionLogs', 'taskId');
    checks.checkCount(skip, 'getExecutionLogs', 'skip');
    checks.checkCount(take, 'getExecutionLogs', 'take');
    return (this.#logs.get(taskId) ?? []).slice(skip, skip + take).map((log) => ({ ...log }));
  }

  async countExecutionLogs(taskId: string): Promise<number> {
    this.#assertOpen();
    checks.checkId(taskId, 'countExecutionLogs', 'taskId');
    return this.#logs.get(taskId)?.length ?? 0;
  }

  // ---- maintenance -----------------------------------------------------------------------------

  async cleanup(policy: RetentionPolicy): Promise<RetentionResult> {
    this.#assertOpen();
    checks.checkRetentionPolicy(policy);
    const audits =
      policy.auditBefore === undefined
        ? 0
        : pruneByAge(this.#statusAudit, policy.auditBefore) + pruneByAge(this.#runAudit, policy.auditBefore);
    const logs = policy.logsBefore === undefined ? 0 : pruneByAge(this.#logs, policy.logsBefore);
    const expired = [...this.#tasks.values()].filter((task) => isExpired(task, policy));
    for (const task of expired) this.#delete(task);
    return { tasks: expired.length, audits, logs };
  }

  // ---- notifications ---------------------------------------------------------------------------

  async subscribe(listener: (notification: StorageNotification) => void): Promise<() => Promise<void>> {
    this.#assertOpen();
    checks.checkListener(listener);
    // Wrap so that subscribing one function twice yields two independent subscriptions.
    const entry: Listener = (n) => listener(n);
    this.#listeners.add(entry);
    return async () => {
      this.#listeners.delete(entry);
    };
  }

  async notify(notification: StorageNotification): Promise<void> {
    this.#assertOpen();
    checks.checkNotification(notification);
    for (const listener of this.#listeners) {
      const copy = { ...notification };
      queueMicrotask(() => {
        try {
          listener(copy);
        } catch {
          // A failing listener must not affect the notifier or the other listeners.
        }
      });
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new StorageError('MemoryStorage: storage is closed; call open() before using it.');
  }

  /** Rejects a batch whose ids or task keys are taken (by a stored task or earlier in the batch). */
  #checkNewTasks(tasks: readonly NewTask[]): void {
    const ids = new Set<string>();
    const keys = new Set<string>();
    tasks.forEach((task, i) => {
      if (this.#tasks.has(task.id) || ids.has(task.id)) {
        throw new StorageError(`MemoryStorage: a task with id "${task.id}" already exists (tasks[${i}]).`);
      }
      ids.add(task.id);
      if (task.taskKey !== null) {
        if (this.#byKey.has(task.taskKey) || keys.has(task.taskKey)) throw new TaskKeyConflictError(task.taskKey);
        keys.add(task.taskKey);
      }
    });
  }

  #insert(task: StoredTask, audit: boolean): void {
    this.#tasks.set(task.id, task);
    if (task.taskKey !== null) this.#byKey.set(task.taskKey, task.id);
    this.#reindex(task, ABSENT, task);
    if (audit) this.#appendStatusAudit({ taskId: task.id, status: task.status, at: task.createdAt, error: null });
  }

  #delete(task: StoredTask): void {
    this.#reindex(task, task, ABSENT);
    this.#tasks.delete(task.id);
    if (task.taskKey !== null && this.#byKey.get(task.taskKey) === task.id) this.#byKey.delete(task.taskKey);
    this.#statusAudit.delete(task.id);
    this.#runAudit.delete(task.id);
    this.#logs.delete(task.id);
  }

  /** Runs `change` on the stored record and keeps every index in step with it. */
  #mutate(task: StoredTask, change: () => void): void {
    const before = indexState(task);
    change();
    this.#reindex(task, before, task);
  }

  /** Moves `task` in every index from where `before` put it to where `after` puts it. */
  #reindex(task: StoredTask, before: IndexState, after: IndexState): void {
    const id = task.id;
    const dueBefore = dueKey(before.status, before.dueAt);
    const dueAfter = dueKey(after.status, after.dueAt);
    if (dueBefore !== dueAfter || before.queue !== after.queue) {
      this.#due.move(id, before.queue, dueBefore, after.queue, dueAfter);
    }
    const leaseBefore = leaseKey(before.status, before.leaseExpiresAt);
    const leaseAfter = leaseKey(after.status, after.leaseExpiresAt);
    if (leaseBefore !== leaseAfter || before.queue !== after.queue) {
      this.#leases.move(id, before.queue, leaseBefore, after.queue, leaseAfter);
    }
    this.#moveOwner(id, ownerKey(before.status, before.leaseOwner), ownerKey(after.status, after.leaseOwner));
    const wasActive = before !== ABSENT && isActive(before.status);
    const isNowActive = after !== ABSENT && isActive(after.status);
    if (wasActive && !isNowActive) this.#order.delete(id);
    else if (!wasActive && isNowActive) this.#order.add(id, task.createdAt);
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

  #applyTransition(change: TaskTransition): boolean {
    const task = this.#tasks.get(change.id);
    if (task === undefined || !change.from.includes(task.status)) return false;
    if (change.owner !== undefined && task.leaseOwner !== change.owner) return false;
    const before = indexState(task);
    if (change.patch !== undefined) applyPatch(task, change.patch);
    task.status = change.to;
    task.updatedAt = change.at;
    this.#reindex(task, before, task);
    if (change.priorAudits !== undefined) {
      for (const prior of change.priorAudits) this.#appendStatusAudit({ taskId: task.id, status: prior.status, at: prior.at, error: prior.error });
    }
    if (change.audit !== undefined) {
      this.#appendStatusAudit({ taskId: task.id, status: change.to, at: change.at, error: change.audit.error });
    }
    if (change.runAudit !== undefined) {
      const run = change.runAudit;
      const row: RunAuditEntry = { taskId: task.id, at: run.at, status: run.status, executionTimeMs: run.executionTimeMs, error: run.error };
      appendTo(this.#runAudit, task.id, row, compareAt);
    }
    if (change.logs !== undefined && change.logs.length > 0) this.#appendLogs(task.id, change.logs);
    return true;
  }

  #appendStatusAudit(row: StatusAuditEntry): void {
    appendTo(this.#statusAudit, row.taskId, row, compareAt);
  }

  #appendLogs(taskId: string, logs: readonly ExecutionLogEntry[]): void {
    for (const log of logs) appendTo(this.#logs, taskId, copyLog(log, taskId), compareLogs);
  }

  #filter(filter: TaskFilter): StoredTask[] {
    if (filter.ids !== undefined) {
      const found: StoredTask[] = [];
      for (const id of new Set(filter.ids)) {
        const task = this.#tasks.get(id);
        if (task !== undefined && matchesFilter(task, filter)) found.push(task);
      }
      return found;
    }
    if (filter.taskKey !== undefined) {
      const id = this.#byKey.get(filter.taskKey);
      const task = id === undefined ? undefined : this.#tasks.get(id);
      return task !== undefined && matchesFilter(task, filter) ? [task] : [];
    }
    const found: StoredTask[] = [];
    for (const task of this.#tasks.values()) if (matchesFilter(task, filter)) found.push(task);
    return found;
  }
}

function compareAt(a: { at: number }, b: { at: number }): number {
  return a.at - b.at;
}

function appendTo<T>(map: Map<string, T[]>, taskId: string, row: T, compare: (a: T, b: T) => number): void {
  let rows = map.get(taskId);
  if (rows === undefined) {
    rows = [];
    map.set(taskId, rows);
  }
  insertSorted(rows, row, compare);
}

/** Removes rows older than `before` from every list; returns how many. */
function pruneByAge<T extends { at: number }>(map: Map<string, T[]>, before: number): number {
  let removed = 0;
  for (const [taskId, rows] of map) {
    const kept = rows.filter((row) => row.at >= before);
    removed += rows.length - kept.length;
    if (kept.length === 0) map.delete(taskId);
    else if (kept.length !== rows.length) map.set(taskId, kept);
  }
  return removed;
}

function isExpired(task: StoredTask, policy: RetentionPolicy): boolean {
  if (task.recurring !== null) return false;
  if (task.status === 'completed') return policy.completedBefore !== undefined && task.updatedAt < policy.completedBefore;
  if (task.status === 'failed' || task.status === 'cancelled') {
    return policy.failedBefore !== undefined && task.updatedAt < policy.failedBefore;
  }
  return false;
}
