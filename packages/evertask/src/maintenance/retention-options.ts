import type { Duration } from '../duration.js';
import type { RetentionPolicy } from '../ports/task-storage.js';
import { toMilliseconds } from '../duration.js';
import { InvalidArgumentError } from '../errors.js';
import { checkOptionsObject, optionKeys } from '../option-keys.js';
import { describeValue } from '../describe-value.js';

/**
 * What the engine deletes by age, and how often (the `retention` engine option). Each age is
 * optional: what has no age is kept for ever. Recurring series and tasks that have not finished
 * are never deleted (their audit rows and logs are, by `audit` and `logs`).
 */
export interface RetentionOptions {
  /** Delete a completed one-off task, with its audit rows and logs, this long after its last status change. @defaultValue kept */
  completedTasks?: Duration;
  /** Delete a failed or cancelled one-off task, with its audit rows and logs, this long after its last status change. @defaultValue kept */
  failedTasks?: Duration;
  /** Delete status-audit and run-audit rows (of every task, recurring series included) this old. @defaultValue kept */
  audit?: Duration;
  /** Delete captured execution-log entries this old. @defaultValue kept */
  logs?: Duration;
  /**
   * How often the engine applies the policy: once at start, then every `interval`, on one engine of
   * all those sharing the storage. At least 1 s. @defaultValue '1h'
   */
  interval?: Duration;
}

/** The `retention` option, checked and in milliseconds. */
export interface ResolvedRetention {
  completedTasksMs: number | undefined;
  failedTasksMs: number | undefined;
  auditMs: number | undefined;
  logsMs: number | undefined;
  intervalMs: number;
}

const RETENTION_KEYS = optionKeys<RetentionOptions>({ completedTasks: true, failedTasks: true, audit: true, logs: true, interval: true });
const AGE_KEYS = ['completedTasks', 'failedTasks', 'audit', 'logs'] as const;
const MIN_INTERVAL_MS = 1000;

function age(options: RetentionOptions, key: (typeof AGE_KEYS)[number]): number | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  const ms = toMilliseconds(value, `retention.${key}`);
  if (ms === 0) {
    // an age of 0 would delete what just finished (and disables retention in some libraries): refuse the ambiguity
    throw new InvalidArgumentError(
      `retention.${key} must be a positive age such as '7d'; received ${describeValue(value)}. Omit it to keep these for ever.`,
    );
  }
  return ms;
}

/** Validates the `retention` engine option; `undefined` (the default) means no retention. */
export function resolveRetention(options: RetentionOptions | undefined): ResolvedRetention | undefined {
  if (options === undefined) return undefined;
  checkOptionsObject(options, RETENTION_KEYS, 'retention');
  if (AGE_KEYS.every((key) => options[key] === undefined)) {
    throw new InvalidArgumentError(
      `retention deletes nothing without an age: give at least one of ${AGE_KEYS.join(', ')} ` +
        `(e.g. { completedTasks: '7d' }), or omit retention.`,
    );
  }
  const intervalMs = toMilliseconds(options.interval ?? '1h', 'retention.interval');
  if (intervalMs < MIN_INTERVAL_MS) {
    throw new InvalidArgumentError(`retention.interval must be at least 1s; received ${describeValue(options.interval)}.`);
  }
  return {
    completedTasksMs: age(options, 'completedTasks'),
    failedTasksMs: age(options, 'failedTasks'),
    auditMs: age(options, 'audit'),
    logsMs: age(options, 'logs'),
    intervalMs,
  };
}

/** The storage policy of one pass at `now`: each cutoff is `now` minus its age. */
export function retentionPolicyAt(retention: ResolvedRetention, now: number): RetentionPolicy {
  const cutoff = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : now - ms);
  const policy: RetentionPolicy = {};
  const completedBefore = cutoff(retention.completedTasksMs);
  const failedBefore = cutoff(retention.failedTasksMs);
  const auditBefore = cutoff(retention.auditMs);
  const logsBefore = cutoff(retention.logsMs);
  if (completedBefore !== undefined) policy.completedBefore = completedBefore;
  if (failedBefore !== undefined) policy.failedBefore = failedBefore;
  if (auditBefore !== undefined) policy.auditBefore = auditBefore;
  if (logsBefore !== undefined) policy.logsBefore = logsBefore;
  return policy;
}
