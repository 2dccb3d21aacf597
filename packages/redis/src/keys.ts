import type { TaskStatus } from 'evertask';

/**
 * The key names of one deployment, all under the hash tag `{<prefix>}` (one Redis Cluster slot).
 * The Lua scripts build the same names (scripts/lib.lua); this is their JavaScript side, for reads.
 */
export class KeyNames {
  /** The prefix itself. */
  readonly prefix: string;
  /** `{<prefix>}`: KEYS[1] of every script. */
  readonly base: string;
  /** Hash of taskKey → id. */
  readonly taskKeys: string;
  /** Set of every queue that has held a task. */
  readonly queues: string;
  /** Pub/sub channel of wake-ups. */
  readonly notify: string;
  /** Hash of instance id → record JSON. */
  readonly instances: string;
  /** Sorted set of instance id by expiresAt. */
  readonly instanceExpiries: string;
  /** Hash of paused queue → `[pausedAt, pausedBy]`. */
  readonly pausedQueues: string;
  /** Hash of the schema version and its writer. */
  readonly meta: string;
  /** The migration lock (SET NX PX). */
  readonly migrationLock: string;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.base = `{${prefix}}`;
    this.taskKeys = `${this.base}:key`;
    this.queues = `${this.base}:queues`;
    this.notify = `${this.base}:notify`;
    this.instances = `${this.base}:inst`;
    this.instanceExpiries = `${this.base}:inst-exp`;
    this.meta = `${this.base}:meta`;
    this.pausedQueues = `${this.base}:paused`;
    this.migrationLock = `${this.base}:migration-lock`;
  }

  /** Hash of one task (its fields by column name, nulls absent). */
  task(id: string): string {
    return `${this.base}:t:${id}`;
  }

  /** Lex-ordered set of one queue's tasks in one status: members `<created key>:<id>`. */
  status(queue: string, status: TaskStatus): string {
    return `${this.base}:s:${status}:${queue}`;
  }

  statusAudit(id: string): string {
    return `${this.base}:sa:${id}`;
  }

  runAudit(id: string): string {
    return `${this.base}:ra:${id}`;
  }

  logs(id: string): string {
    return `${this.base}:log:${id}`;
  }
}
