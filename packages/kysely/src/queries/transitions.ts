import type { TaskTransition } from 'evertask';
import { COLUMN_OF_FIELD, patchedFields } from 'evertask/storage-kit';
import type { AnyKysely, DbRow } from '../database.js';
import { chunks } from '../row-mapping.js';
import type { QueryContext } from './context.js';

/** The history rows of the changes that applied, gathered for one multi-row insert per table. */
interface HistoryRows {
  statusAudit: DbRow[];
  runAudit: DbRow[];
  logs: DbRow[];
}

/**
 * Status changes: a batch in one transaction. Each change is one guarded UPDATE (status in
 * `from`, the lease owner when given) whose row count says whether it applied; the audit,
 * run-audit and log rows of the applied ones follow in one INSERT per table. A change and its
 * history are written together or not at all.
 *
 * The portable form costs one round trip per change (the hand-tuned adapters send a whole batch
 * as one statement: `UPDATE … FROM (VALUES …)` on PostgreSQL, `JSON_TABLE` on MySQL); see
 * docs/kysely.md for what it costs.
 */
export class TransitionQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    if (changes.length === 0) return [];
    return this.#context.connection.transaction('transition', async (db) => {
      const history: HistoryRows = { statusAudit: [], runAudit: [], logs: [] };
      const applied: boolean[] = [];
      for (const change of changes) {
        const done = await this.#apply(db, change);
        applied.push(done);
        if (done) collectHistory(change, history);
      }
      await this.#insertHistory(db, history);
      return applied;
    });
  }

  async #apply(db: AnyKysely, change: TaskTransition): Promise<boolean> {
    const values: DbRow = { status: change.to, updated_at: change.at };
    if (change.patch !== undefined) for (const field of patchedFields(change.patch)) values[COLUMN_OF_FIELD[field]] = change.patch[field];
    let update = db.updateTable(this.#context.tables.tasks).set(values).where('id', '=', change.id).where('status', 'in', change.from);
    if (change.owner !== undefined) update = update.where('lease_owner', '=', change.owner);
    return (await update.executeTakeFirst()).numUpdatedRows > 0n;
  }

  async #insertHistory(db: AnyKysely, history: HistoryRows): Promise<void> {
    const { statusAudit, runAudit, executionLogs } = this.#context.tables;
    const size = this.#context.chunkSize;
    for (const [table, rows] of [[statusAudit, history.statusAudit], [runAudit, history.runAudit], [executionLogs, history.logs]] as const) {
      for (const chunk of chunks(rows, size)) await db.insertInto(table).values(chunk).execute();
    }
  }
}

/** Appends the history rows of an applied change, in the order they are to be read. */
function collectHistory(change: TaskTransition, history: HistoryRows): void {
  for (const prior of change.priorAudits ?? []) history.statusAudit.push({ task_id: change.id, status: prior.status, at: prior.at, error: prior.error, actor: null });
  if (change.audit !== undefined) {
    history.statusAudit.push({ task_id: change.id, status: change.to, at: change.at, error: change.audit.error, actor: change.audit.actor ?? null });
  }
  if (change.runAudit !== undefined) {
    const run = change.runAudit;
    history.runAudit.push({ task_id: change.id, at: run.at, status: run.status, execution_time_ms: run.executionTimeMs, error: run.error });
  }
  for (const log of change.logs ?? []) {
    history.logs.push({ id: log.id, task_id: change.id, at: log.at, level: log.level, message: log.message, exception: log.exception, sequence: log.sequence });
  }
}
