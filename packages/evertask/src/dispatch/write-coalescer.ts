import type { NewTask, TaskStorage, TaskTransition } from '../ports/task-storage.js';
import type { Clock } from '../clock.js';
import { StorageError, toError } from '../errors.js';

interface PendingAdd {
  tasks: readonly NewTask[];
  audit: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface PendingTransition {
  change: TaskTransition;
  resolve: (applied: boolean) => void;
  reject: (error: Error) => void;
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
export class WriteCoalescer {
  readonly #storage: TaskStorage;
  readonly #clock: Clock;
  readonly #hooks: WriteCoalescerHooks;
  #adds: PendingAdd[] = [];
  #transitions: PendingTransition[] = [];
  /** Changes queued but not sent yet, by task id (for merging). */
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
    return !this.#lanes.add.flushing && !this.#lanes.transition.flushing && this.#adds.length === 0 && this.#transitions.length === 0;
  }

  add(tasks: readonly NewTask[], audit: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#adds.push({ tasks, audit, resolve, reject });
      this.#schedule('add');
    });
  }

  transition(change: TaskTransition): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const waiting = this.#unsent.get(change.id);
      if (waiting && this.#merge(waiting, change, resolve, reject)) return;
      const pending: PendingTransition = { change, resolve, reject };
      this.#transitions.push(pending);
      this.#unsent.set(change.id, pending);
      this.#schedule('transition');
    });
  }

  /**
   * Folds a change into an earlier one of the same task that is not sent yet (e.g. a task that
   * started and finished within one tick): one write instead of two. Only when the result is the
   * same as applying both in order: the second change's guard accepts the first one's outcome (so
   * e.g. `queued → in-progress` then `→ completed` becomes one guarded `queued → completed`), and
   * the first change's audit row is kept as a prior audit row.
   */
  #merge(first: PendingTransition, next: TaskTransition, resolve: (applied: boolean) => void, reject: (error: Error) => void): boolean {
    const a = first.change;
    if (!next.from.includes(a.to)) return false;
    if (next.owner !== undefined && a.owner !== undefined && next.owner !== a.owner) return false;
    if (a.runAudit && next.runAudit) return false;
    const logs = a.logs && next.logs ? [...a.logs, ...next.logs] : (next.logs ?? a.logs);
    // the first change's audit row becomes a prior row of the merged one
    const priorAudits = [
      ...(a.priorAudits ?? []),
      ...(a.audit ? [{ status: a.to, at: a.at, error: a.audit.error }] : []),
      ...(next.priorAudits ?? []),
    ];
    const audit = next.audit;
    const runAudit = next.runAudit ?? a.runAudit;
    first.change = {
      id: a.id,
      from: a.from,
      to: next.to,
      at: next.at,
      ...(a.owner !== undefined ? { owner: a.owner } : next.owner !== undefined ? { owner: next.owner } : {}),
      ...(a.patch || next.patch ? { patch: { ...a.patch, ...next.patch } } : {}),
      ...(audit ? { audit } : {}),
      ...(priorAudits.length > 0 ? { priorAudits } : {}),
      ...(runAudit ? { runAudit } : {}),
      ...(logs ? { logs } : {}),
    };
    const resolveFirst = first.resolve;
    const rejectFirst = first.reject;
    first.resolve = (applied) => {
      resolveFirst(applied);
      resolve(applied);
    };
    first.reject = (error) => {
      rejectFirst(error);
      reject(error);
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
        if ((kind === 'add' ? this.#adds : this.#transitions).length > 0) this.#schedule(kind);
        else if (this.idle) for (const w of this.#idleWaiters.splice(0)) w();
      });
    });
  }

  async #flushAdds(): Promise<void> {
    while (this.#adds.length > 0) await this.#writeAdds(this.#adds.splice(0));
  }

  async #flushTransitions(): Promise<void> {
    while (this.#transitions.length > 0) await this.#writeTransitions(this.#takeTransitionBatch());
  }

  /**
   * The next batch of status changes, cut before the first repeated task id: a batch never holds
   * two changes of one task, so a storage may apply a batch in any order (or in one statement).
   */
  #takeTransitionBatch(): PendingTransition[] {
    const seen = new Set<string>();
    let end = 0;
    while (end < this.#transitions.length && end < MAX_BATCH) {
      const id = (this.#transitions[end] as PendingTransition).change.id;
      if (seen.has(id)) break;
      seen.add(id);
      end++;
    }
    const batch = this.#transitions.splice(0, end);
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
        const results = await this.#storage.transition(batch.map((t) => t.change));
        this.#backoffMs = 0;
        batch.forEach((t, i) => t.resolve(results[i] ?? false));
        return;
      } catch (error) {
        const err = wrapStorage(error, 'transition');
        const transient = err instanceof StorageError && err.transient;
        this.#hooks.onError('transition', err, transient);
        if (!transient) {
          for (const t of batch) t.reject(err);
          return;
        }
        this.#backoffMs = Math.min(MAX_BACKOFF_MS, this.#backoffMs === 0 ? 50 : this.#backoffMs * 2);
        await new Promise<void>((resolve) => this.#clock.setTimer(resolve, this.#backoffMs));
      }
    }
  }
}

function wrapStorage(error: unknown, operation: string): Error {
  if (error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'string' && (error as { code: string }).code.startsWith('ERR_')) {
    return error;
  }
  return new StorageError(`Storage ${operation} failed: ${toError(error).message}`, { cause: error });
}
