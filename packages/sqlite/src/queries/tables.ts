/** The names of this storage's tables (all share the `tablePrefix`) and the predicates their partial indexes use. */

export interface TableNames {
  /** The `tablePrefix` every name starts with. */
  prefix: string;
  tasks: string;
  statusAudit: string;
  runAudit: string;
  logs: string;
  instances: string;
  pausedQueues: string;
  migrations: string;
}

/** The table names for one `tablePrefix`; the migrations write `{prefix}` where these use `prefix`. */
export function tableNames(prefix: string): TableNames {
  return {
    prefix,
    tasks: `${prefix}tasks`,
    statusAudit: `${prefix}status_audit`,
    runAudit: `${prefix}run_audit`,
    logs: `${prefix}execution_logs`,
    instances: `${prefix}instances`,
    pausedQueues: `${prefix}paused_queues`,
    migrations: `${prefix}migrations`,
  };
}

/**
 * The partial-index predicates, word for word as `migrations/0001-initial.sql` declares them:
 * queries repeat them exactly so that SQLite can prove the partial index covers the query.
 */
export const DUE_STATUSES_SQL = `status IN ('waiting', 'service-stopped')`;
export const LEASED_STATUSES_SQL = `status IN ('queued', 'in-progress')`;
export const ACTIVE_STATUSES_SQL = `status IN ('waiting', 'queued', 'in-progress', 'service-stopped')`;
