import type { TaskStatus } from './ports/task-record.js';
import type { RetentionPolicy, RetentionResult, TaskEventEntry } from './ports/task-storage.js';
import { InvalidArgumentError } from './errors.js';
import { optionKeys } from './option-keys.js';

/** The fields every task event carries. */
export interface TaskEventBase {
  taskId: string;
  taskName: string;
  queue: string;
  /** Epoch ms. */
  at: number;
}

/** The events of `EverTask.on`. */
export interface EverTaskEvents {
  /** A task was stored (`dueAt` in the future means it waits). */
  'task:dispatched': TaskEventBase & { dueAt: number; taskKey: string | null };
  /** An attempt started. */
  'task:started': TaskEventBase & { attempt: number };
  'task:completed': TaskEventBase & { attempt: number; durationMs: number };
  /** The task failed for good (no retry left, or not retryable). */
  'task:failed': TaskEventBase & { attempt: number; error: Error; durationMs: number };
  /** An attempt failed and a retry is scheduled. */
  'task:retrying': TaskEventBase & { attempt: number; error: Error; delayMs: number };
  'task:cancelled': TaskEventBase & { running: boolean };
  /** A running task was interrupted by `stop()` and will run again at the next start. */
  'task:stopped': TaskEventBase;
  /** A task whose attempt was interrupted (its process crashed or stopped) was taken over by this instance. */
  'task:recovered': TaskEventBase & { previousStatus: TaskStatus };
  /** A stored task cannot run (unknown name, unreadable payload) and was failed or set aside. */
  'task:poisoned': TaskEventBase & { error: Error; final: boolean };
  /** A task over its rate limit waits for its slot (`rejected`: the slot was beyond maxWait and the task failed). */
  'task:rate-limited': TaskEventBase & { key: string; retryAt: number; rejected: boolean };
  /**
   * A rate-limited task ran unthrottled (fail-open): its key selector threw, or the limiter failed
   * or tracks too many keys. `failOpenCount` counts these in this engine since it was created.
   */
  'rate-limit:fail-open': TaskEventBase & { key: string | null; error: Error; failOpenCount: number };
  /** A recurring series skipped occurrences while no engine ran. */
  'recurring:missed': TaskEventBase & { missed: number; nextAt: number | null };
  /** A lifecycle hook threw; the task's outcome is unchanged. */
  'hook:error': TaskEventBase & { hook: 'onStarted' | 'onCompleted' | 'onError' | 'onRetry'; error: Error };
  /** A storage write failed (transient faults are retried; see `willRetry`). */
  'storage:error': { operation: string; error: Error; willRetry: boolean; at: number };
  /**
   * This engine applied the `retention` option: the rows removed (audit rows and logs counted
   * whether they went by age or with their task) and the cutoffs used (epoch ms).
   */
  'retention:run': RetentionResult & { policy: RetentionPolicy; at: number };
  /**
   * A task event of another engine sharing the storage, from the storage's notification channel
   * (PostgreSQL; see the `eventFeed` option): `type` is the event it stands for, `instanceId` the
   * engine that sent it. No hook of this engine runs for it. Subscribing asks the other engines to
   * publish (in their default `eventFeed: 'when-watched'` mode).
   */
  'remote:task': TaskEventEntry & { instanceId: string };
  /** A task event notification from another engine held malformed entries, which were ignored. */
  'remote:rejected': { instanceId: string | null; rejected: number; at: number };
}

export type EverTaskEventName = keyof EverTaskEvents;

/** Every event name, at run time (typed so that the list stays complete). */
export const EVENT_NAMES = optionKeys<EverTaskEvents>({
  'task:dispatched': true,
  'task:started': true,
  'task:completed': true,
  'task:failed': true,
  'task:retrying': true,
  'task:cancelled': true,
  'task:stopped': true,
  'task:recovered': true,
  'task:poisoned': true,
  'task:rate-limited': true,
  'rate-limit:fail-open': true,
  'recurring:missed': true,
  'hook:error': true,
  'storage:error': true,
  'retention:run': true,
  'remote:task': true,
  'remote:rejected': true,
}) as readonly EverTaskEventName[];

/** Refuses an unknown event name (a typo would never fire) or a listener that is not a function. */
export function checkSubscription(method: string, event: unknown, listener: unknown): void {
  if (typeof event !== 'string' || !(EVENT_NAMES as readonly string[]).includes(event)) {
    throw new InvalidArgumentError(`${method}: unknown event ${JSON.stringify(event)}; events are: ${EVENT_NAMES.join(', ')}.`);
  }
  if (typeof listener !== 'function') throw new InvalidArgumentError(`${method}("${event}", …) takes a function; received ${typeof listener}.`);
}
export type EverTaskListener<E extends EverTaskEventName> = (event: EverTaskEvents[E]) => void;

/** A small typed emitter; a throwing listener is reported to `onListenerError` and never breaks the engine. */
export class TypedEmitter {
  #listeners = new Map<EverTaskEventName, Set<(event: never) => void>>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  on<E extends EverTaskEventName>(event: E, listener: EverTaskListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => this.off(event, listener);
  }

  off<E extends EverTaskEventName>(event: E, listener: EverTaskListener<E>): void {
    this.#listeners.get(event)?.delete(listener as (event: never) => void);
  }

  has(event: EverTaskEventName): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends EverTaskEventName>(event: E, payload: EverTaskEvents[E]): void {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return;
    for (const listener of set) {
      try {
        (listener as EverTaskListener<E>)(payload);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
