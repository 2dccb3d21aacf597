import type { TaskDefinition } from './define-task.js';
import type { TypedEmitter } from './events.js';
import type { ResolvedOptions } from './options.js';
import type { TaskStorage } from './ports/task-storage.js';
import type { WriteCoalescer } from './storage/write-coalescer.js';
import type { DueScheduler } from './scheduler/due-scheduler.js';
import type { QueueRunner } from './worker/queue-runner.js';
import type { TaskExecution } from './worker/task-execution.js';

/** A task definition of any payload type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTask = TaskDefinition<any>;

/**
 * What the parts of the engine (dispatcher, claimer, task runner, run finisher) share. Internal:
 * the `EverTask` facade builds one object at construction and hands it to each part; nothing
 * per task is allocated for it.
 */
export interface EngineContext {
  /** The resolved engine options. */
  readonly options: ResolvedOptions;
  readonly storage: TaskStorage;
  readonly emitter: TypedEmitter;
  /** The named queues of this process. */
  readonly queues: Map<string, QueueRunner>;
  /** The write coalescer every status write goes through. */
  readonly writer: WriteCoalescer;
  /** The due times of the waiting tasks this instance knows about. */
  readonly scheduler: DueScheduler;
  /** The executions of asynchronous handlers (and of runs in a start hook), by task id. */
  readonly running: Map<string, TaskExecution>;
  /** True while the engine is started and not stopping. */
  isRunning(): boolean;
  /** Throws the engine-state error of `what` unless the engine is running. */
  assertRunning(what: string): void;
  /** Marks that the storage may have due work and starts a claim round. */
  claimSoon(): void;
  /** Whether this engine knows `queue` as paused (then a due task is stored `waiting`, not leased here). */
  isQueuePaused(queue: string): boolean;
}
