/** A paused queue as `pausedQueues()` lists it. */
export interface PausedQueue {
  /** The queue's name. */
  queue: string;
  /** When it was paused (epoch ms). */
  pausedAt: number;
  /** Who paused it (a user name), or null when the application did. */
  pausedBy: string | null;
}

/** Who changes a queue's state, and when. */
export interface QueueStateChange {
  /** The user name behind the change, or null for the application itself. */
  actor: string | null;
  /** Time of the change (epoch ms). */
  at: number;
}

/**
 * Paused queues, kept in the storage so that every engine sharing it stops claiming from a
 * paused queue at once. `claimDue` and `nextDueAt` leave the tasks of a paused queue out in the
 * same atomic step as the rest of their predicate; tasks already claimed are not touched.
 */
export interface QueueStateStore {
  /**
   * Pauses (`paused: true`) or resumes a queue. Idempotent: pausing a paused queue keeps its first
   * `pausedAt`/`pausedBy`, resuming a running one changes nothing. Returns whether the state
   * changed. A queue needs no task to be paused.
   */
  setQueuePaused(queue: string, paused: boolean, change: QueueStateChange): Promise<boolean>;
  /** The paused queues, by name. */
  pausedQueues(): Promise<PausedQueue[]>;
}
