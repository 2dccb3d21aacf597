import type { NewTask, TaskStorage, TaskTransition } from '../ports/task-storage.js';
import type { Clock } from '../clock.js';
import type { StatusWriter, TransitionCallback } from '../engine-context.js';
import { StorageError, toError } from '../errors.js';

interface PendingAdd {
  tasks: readonly NewTask[];
  audit: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface PendingTransition {
  change: TaskTransition;
  done: TransitionCallback;
  /** Taken back by `withdraw` before it was sent: skipped by the next batch, never settled. */
  withdrawn: boolean;
}

export interface WriteCoalescerHooks {
  /** A write failed; `willRetry` tells whether it is kept and retried. */
  onError(operation: string, error: Error, willRetry: boolean): void;
}

type Lane = 'add' | 'transition';

const MAX_BATCH = 1000;
const MAX_BACKOFF_MS = 5000;

/**
 * Gathers the inserts and status changes issued during one tick and writes them as one `add` and
 * one `transition` call. While a batch is being written the next one accumulates, so the number of
 * storage round trips stays flat as load grows. Inserts and status changes are written in two
 * independent lanes (they never concern the same task: a task gets status changes only once its
 * insert resolved), so a dispatch never waits behind a batch of completions and vice versa.
 *
 * Transitions that fail with a transient `StorageError` are kept in memory and retried with
 * backoff until the storage is back (nothing finished is forgotten); inserts are not retried: the
 * dispatch rejects and the caller decides.
 */
export class WriteCoalescer implements StatusWriter {
  readonly #storage: TaskStorage;
  readonly #clock: Clock;
  readonly #hooks: WriteCoalescerHooks;
  #adds: PendingAdd[] = [];
  /** Queued status changes from `#head` on (a FIFO that batches take from without copying the rest). */
  #transitions: (PendingTransition | undefined)[] = [];
  #head = 0;
  /** Changes queued but not sent yet, by task id (the last one of each task, for merging). */
  #unsent = new Map<string, PendingTransition>();
  readonly #lanes: Record<Lane, { scheduled: boolean; flushing: Promise<void> | undefined }> = {
    add: { scheduled: false, flushing: undefined },
    transition: { scheduled: false, flushing: undefined },
  };
  #backoffMs = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(storage: TaskStorage, clock: Clock, hooks: WriteCoalescerHooks) {
    this.#storage = storage;
    this.#clock = clock;
    this.#hooks = hooks;
  }

  /** Writes pending work; true when nothing is queued or in flight. */
  get idle(): boolean {
    return !this.#lanes.add.flushing && !this.#lanes.transition.flushing && this.#adds.length === 0 && this.#transitions.length === this.#head;
  }

  add(tasks: readonly NewTask[], audit: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#adds.push({ tasks, audit, resolve, reject });
      this.#schedule('add');
    });
  }

  transition(change: TaskTransition): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#enqueue(change, (applied, error) => (error ? reject(error) : resolve(applied)));
      this.#schedule('transition');
    });
  }

  /**
   * Like `transition`, without a promise: `done` is called once the batch holding the change is
   * written (the engine's hot path, where a promise per status change is measurable garbage).
   */
  transitionThen(change: TaskTransition, done: TransitionCallback): void {
    this.#enqueue(change, done);
  }

  /**
   * Takes back a change queued with `transitionThen` that is not sent yet and was not merged with
   * another one: true when it is withdrawn (its callback is never called, the caller writes what
   * replaces it), false when it is already in flight or written, or was merged. The engine uses
   * it to write an asynchronous handler's start and finish as one change when the handler settles
   * within the tick, with the fixed-shape patch it builds itself.
   */
  withdraw(change: TaskTransition): boolean {
    const pending = this.#unsent.get(change.id);
    if (pending === undefined || pending.change !== change) return false;
    pending.withdrawn = true;
    this.#unsent.delete(change.id);
    return true;
  }

  #enqueue(change: TaskTransition, done: TransitionCallback): void {
    const waiting = this.#unsent.get(change.id);
    if (waiting === undefined || !this.#merge(waiting, change, done)) {
      const pending: PendingTransition = { change, done, withdrawn: false };
      this.#transitions.push(pending);
      this.#unsent.set(change.id, pending);
    }
    this.#schedule('transition');
  }

  /**
   * Folds a change into an earlier one of the same task that is not sent yet (e.g. a task that
   * started and finished within one tick): one write instead of two. Only when the result is the
   * same as applying both in order: the second change's guard accepts the first one's outcome (so
   * e.g. `queued → in-progress` then `→ completed` becomes one guarded `queued → completed`), and
   * the first change's audit row is kept as a prior audit row. Both callers learn the outcome.
   */
  #merge(first: PendingTransition, next: TaskTransition, done: TransitionCallback): boolean {
    const a = first.change;
    if (!next.from.includes(a.to)) return false;
    if (next.owner !== undefined && a.owner !== undefined && next.owner !== a.owner) return false;
    if (a.runAudit && next.runAudit) return false;
    const merged: TaskTransition = { id: a.id, from: a.from, to: next.to, at: next.at };
    const owner = a.owner ?? next.owner;
    if (owner !== undefined) merged.owner = owner;
    if (a.patch !== undefined && next.patch !== undefined) merged.patch = { ...a.patch, ...next.patch };
    else if (a.patch !== undefined || next.patch !== undefined) merged.patch = next.patch ?? a.patch;
    if (next.audit !== undefined) merged.audit = next.audit;
    // the first change's audit row becomes a prior row of the merged one
    let prior = a.priorAudits;
    if (a.audit !== undefined) {
      const row = { status: a.to, at: a.at, error: a.audit.error };
      prior = prior ? [...prior, row] : [row];
    }
    if (next.priorAudits !== undefined) prior = prior ? [...prior, ...next.priorAudits] : next.priorAudits;
    if (prior !== undefined && prior.length > 0) merged.priorAudits = prior;
    const runAudit = next.runAudit ?? a.runAudit;
    if (runAudit !== undefined) merged.runAudit = runAudit;
    const logs = a.logs && next.logs ? [...a.logs, ...next.logs] : (next.logs ?? a.logs);
    if (logs !== undefined) merged.logs = logs;
    first.change = merged;
    const doneFirst = first.done;
    first.done = (applied, error) => {
      try {
        doneFirst(applied, error);
      } finally {
        done(applied, error);
      }
    };
    return true;
  }

  /** Resolves when everything queued so far is written (or failed for good). */
  async drain(): Promise<void> {
    if (this.idle) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #schedule(kind: Lane): void {
    const lane = this.#lanes[kind];
    if (lane.scheduled || lane.flushing) return;
    lane.scheduled = true;
    setImmediate(() => {
      lane.scheduled = false;
      lane.flushing = (kind === 'add' ? this.#flushAdds() : this.#flushTransitions()).finally(() => {
        lane.flushing = undefined;
        if (kind === 'add' ? this.#adds.length > 0 : this.#transitions.length > this.#head) this.#schedule(kind);
        else if (this.idle) for (const w of this.#idleWaiters.splice(0)) w();
      });
    });
  }

  async #flushAdds(): Promise<void> {
    while (this.#adds.length > 0) await this.#writeAdds(this.#adds.splice(0));
  }

  async #flushTransitions(): Promise<void> {
    while (this.#transitions.length > this.#head) {
      const batch = this.#takeTransitionBatch();
      if (batch.length > 0) await this.#writeTransitions(batch);
    }
  }

  /**
   * The next batch of status changes, at most one per task: a batch never holds two changes of
   * one task, so a storage may apply a batch in any order (or in one statement). A later change
   * of a task already in the batch waits for the next batch, in order; changes of other tasks
   * behind it are not held up (a task that starts and finishes within one tick queues two changes
   * back to back).
   */
  #takeTransitionBatch(): PendingTransition[] {
    const pending = this.#transitions;
    const head = this.#head;
    const seen = new Set<string>();
    const batch: PendingTransition[] = [];
    // deferred changes are packed at the front of the scanned range, then moved next to the rest
    let deferredEnd = head;
    let i = head;
    for (; i < pending.length && batch.length < MAX_BATCH; i++) {
      const t = pending[i] as PendingTransition;
      if (t.withdrawn) continue;
      if (seen.has(t.change.id)) pending[deferredEnd++] = t;
      else {
        seen.add(t.change.id);
        batch.push(t);
      }
    }
    const deferred = deferredEnd - head;
    for (let k = 1; k <= deferred; k++) pending[i - k] = pending[deferredEnd - k];
    for (let k = head; k < i - deferred; k++) pending[k] = undefined;
    this.#head = i - deferred;
    if (this.#head === pending.length) {
      this.#transitions = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > pending.length) {
      this.#transitions = pending.slice(this.#head);
      this.#head = 0;
    }
    for (const t of batch) if (this.#unsent.get(t.change.id) === t) this.#unsent.delete(t.change.id);
    return batch;
  }

  async #writeAdds(adds: PendingAdd[]): Promise<void> {
    for (const audit of [false, true]) {
      const group = adds.filter((a) => a.audit === audit);
      if (group.length === 0) continue;
      const tasks = group.length === 1 ? (group[0] as PendingAdd).tasks : group.flatMap((a) => a.tasks);
      try {
        await this.#storage.add(tasks, { audit });
        for (const a of group) a.resolve();
      } catch (error) {
        if (group.length > 1) {
          // one bad insert must not fail its neighbours: retry them one by one
          for (const a of group) {
            try {
              await this.#storage.add(a.tasks, { audit });
              a.resolve();
            } catch (e) {
              a.reject(wrapStorage(e, 'add'));
            }
          }
        } else {
          (group[0] as PendingAdd).reject(wrapStorage(error, 'add'));
        }
      }
    }
  }

  async #writeTransitions(batch: PendingTransition[]): Promise<void> {
    for (;;) {
      try {
        const changes: TaskTransition[] = new Array<TaskTransition>(batch.length);
        for (let i = 0; i < batch.length; i++) changes[i] = (batch[i] as PendingTransition).change;
        const results = await this.#storage.transition(changes);
        this.#backoffMs = 0;
        for (let i = 0; i < batch.length; i++) this.#settle(batch[i] as PendingTransition, results[i] ?? false, undefined);
        return;
      } catch (error) {
        const err = wrapStorage(error, 'transition');
        const transient = err instanceof StorageError && err.transient;
        this.#hooks.onError('transition', err, transient);
        if (!transient) {
          for (const t of batch) this.#settle(t, false, err);
          return;
        }
        this.#backoffMs = Math.min(MAX_BACKOFF_MS, this.#backoffMs === 0 ? 50 : this.#backoffMs * 2);
        await new Promise<void>((resolve) => this.#clock.setTimer(resolve, this.#backoffMs));
      }
    }
  }

  /** Runs a change's callback; a throwing callback is reported and never fails the rest of its batch. */
  #settle(t: PendingTransition, applied: boolean, error: Error | undefined): void {
    try {
      t.done(applied, error);
    } catch (e) {
      this.#hooks.onError('transition callback', toError(e), false);
    }
  }
}

function wrapStorage(error: unknown, operation: string): Error {
  if (error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'string' && (error as { code: string }).code.startsWith('ERR_')) {
    return error;
  }
  return new StorageError(`Storage ${operation} failed: ${toError(error).message}`, { cause: error });
}
