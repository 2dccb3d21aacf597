/** The Kysely types the storage works with. */
import type { Kysely, Transaction } from 'kysely';

/**
 * The application's Kysely instance. Its tables are named at run time (under the storage's
 * prefix), so the storage works on an untyped view of the database.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKysely = Kysely<any>;

/** A transaction of the application's Kysely instance. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTransaction = Transaction<any>;

/** One row as a driver returns it, keyed by column name. */
export type DbRow = Record<string, unknown>;

/** The storage's tables, each name with the prefix. */
export interface TableNames {
  tasks: string;
  statusAudit: string;
  runAudit: string;
  executionLogs: string;
  instances: string;
  pausedQueues: string;
  rateLimits: string;
  rateLimitReservations: string;
}

/** The tables under `prefix` (`evertask_` → `evertask_tasks`, …). */
export function tableNames(prefix: string): TableNames {
  return {
    tasks: `${prefix}tasks`,
    statusAudit: `${prefix}status_audit`,
    runAudit: `${prefix}run_audit`,
    executionLogs: `${prefix}execution_logs`,
    instances: `${prefix}instances`,
    pausedQueues: `${prefix}paused_queues`,
    rateLimits: `${prefix}rate_limits`,
    rateLimitReservations: `${prefix}rate_limit_reservations`,
  };
}
