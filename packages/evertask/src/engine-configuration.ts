import type { ResolvedOptions } from './options.js';
import type { AuditLevel, LogLevel } from './ports/task-record.js';
import type { WhenFull } from './options.js';

/** One queue as `EverTask.configuration()` reports it. */
export interface QueueConfiguration {
  name: string;
  concurrency: number;
  capacity: number;
  whenFull: WhenFull;
  /** Per-attempt timeout of the queue's tasks in ms, or null for none. */
  timeoutMs: number | null;
}

/** One task definition as `EverTask.configuration()` reports it (no handler, no payload). */
export interface TaskDefinitionSummary {
  name: string;
  queue: string;
  timeoutMs: number | null;
  /** Starts allowed per second under the rate limit, or null when the task has none. */
  rateLimitPerSecond: number | null;
}

/** The engine's resolved configuration, safe to show (no secrets, no functions). */
export interface EngineConfiguration {
  instanceId: string;
  leaseMs: number;
  heartbeatMs: number;
  sweepMs: number;
  stopTimeoutMs: number;
  defaultTimeoutMs: number | null;
  auditLevel: AuditLevel;
  logs: { enabled: boolean; minLevel: LogLevel; maxPerTask: number; maxMessageLength: number };
  queues: QueueConfiguration[];
  tasks: TaskDefinitionSummary[];
}

/** Builds the read-only view of the resolved options. */
export function describeConfiguration(options: ResolvedOptions): EngineConfiguration {
  return {
    instanceId: options.instanceId,
    leaseMs: options.leaseMs,
    heartbeatMs: options.heartbeatMs,
    sweepMs: options.sweepMs,
    stopTimeoutMs: options.stopTimeoutMs,
    defaultTimeoutMs: options.timeoutMs ?? null,
    auditLevel: options.auditLevel,
    logs: { ...options.logs },
    queues: [...options.queues.values()].map((queue) => ({
      name: queue.name,
      concurrency: queue.concurrency,
      capacity: queue.capacity,
      whenFull: queue.whenFull,
      timeoutMs: queue.timeoutMs ?? null,
    })),
    tasks: [...options.tasks.values()].map((definition) => ({
      name: definition.name,
      queue: definition.options.queue ?? 'default',
      timeoutMs: definition.timeoutMs ?? null,
      rateLimitPerSecond: definition.rateLimit === undefined ? null : 1000 / definition.rateLimit.intervalMs,
    })),
  };
}
