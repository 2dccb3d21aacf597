import type { TaskDefinition } from './define-task.js';
import type { TypedEmitter } from './events.js';
import type { ResolvedOptions, ResolvedQueue } from './options.js';
import type { StoredTask } from './ports/task-record.js';
import type { NewTask, TaskStorage, TaskTransition } from './ports/task-storage.js';

/** A task definition of any payload type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTask = TaskDefinition<any>;

/** Called once with the outcome of a queued status change: `applied`, or the error that lost it. */
export type TransitionCallback = (applied: boolean, error: Error | undefined) => void;

/**
 * A named queue of this process as the other parts see it: its room and its appetite for claimed
 * tasks, and where claimed tasks go (`worker/queue-runner.ts` holds the buffer and the workers).
 */
export interface LocalQueue {
  readonly name: string;
  readonly config: ResolvedQueue;
  /** Claimed tasks waiting for a worker slot. */
  readonly buffered: number;
  /** Room left in the local buffer. */
  readonly space: number;
  /** How many more tasks it wants from the storage now (0: none). */
  readonly appetite: number;
  /** Ids of the tasks it holds, buffered or in a worker slot: the leases the heartbeat renews. */
  readonly heldIds: ReadonlySet<string>;
  /** Adds a claimed task; it starts at once when a worker slot is free. */
  push(task: StoredTask): void;
  /** Resolves when the buffer has room. */
  waitForSpace(): Promise<void>;
}

/**
 * Where every insert and status change goes (`storage/write-coalescer.ts` batches them per tick).
 */
export interface StatusWriter {
  add(tasks: readonly NewTask[], audit: boolean): Promise<void>;
  /** Resolves with whether the change applied. */
  transition(change: TaskTransition): Promise<boolean>;
  /** Like `transition`, with a callback instead of a promise (the hot path). */
  transitionThen(change: TaskTransition, done: TransitionCallback): void;
  /** Takes back a change of `transitionThen` not sent yet; true when it is withdrawn. */
  withdraw(change: TaskTransition): boolean;
}

/**
 * The due times of the waiting tasks this instance knows about (`scheduler/due-scheduler.ts`
 * keeps them in a heap with one timer set to the earliest, which starts a claim round).
 */
export interface DueTimes {
  /** Remembers that task `id` is due at `dueAt`. */
  schedule(id: string, dueAt: number): void;
  /** Forgets the due time of task `id`. */
  unschedule(id: string): void;
  /** Removes every task due at or before `now` and returns their ids. */
  takeDue(now: number): string[];
  /** The storage reports work due at `dueAt` (undefined: nothing known). */
  hint(dueAt: number | undefined): void;
}

/** The queues this engine knows as paused (`management/queue-pauses.ts`; the storage holds the state). */
export interface PausedQueueNames {
  /** Whether `queue` is paused: a task due now is then stored `waiting`, not leased to this engine. */
  isPaused(queue: string): boolean;
}

/** Starting claim rounds (`scheduler/claimer.ts`). */
export interface ClaimRounds {
  /** Marks that the storage may have due work and starts a claim round (not awaited). */
  claimSoon(): void;
}

/**
 * What the parts of the engine (dispatcher, claimer, task runner, run finisher) share. Internal:
 * the `EverTask` facade builds one object at construction and hands it to each part; nothing
 * per task is allocated for it. It names roles, not classes: the folders that implement them
 * import this module, never the other way round.
 */
export interface EngineContext {
  /** The resolved engine options. */
  readonly options: ResolvedOptions;
  readonly storage: TaskStorage;
  readonly emitter: TypedEmitter;
  /** The named queues of this process. */
  readonly queues: ReadonlyMap<string, LocalQueue>;
  /** Every insert and status write goes through it. */
  readonly writer: StatusWriter;
  /** The due times of the waiting tasks this instance knows about. */
  readonly dueTimes: DueTimes;
  /** Claim rounds: a part that makes work due asks for one here. */
  readonly claims: ClaimRounds;
  /** The paused queues (a dispatch to one is stored waiting). */
  readonly pauses: PausedQueueNames;
  /** True while the engine is started and not stopping. */
  isRunning(): boolean;
  /** Throws the engine-state error of `what` unless the engine is running. */
  requireRunning(what: string): void;
}

/** The context the claimer is built from: all of it but the claim rounds, which the claimer is. */
export type ClaimerContext = Omit<EngineContext, 'claims'>;
