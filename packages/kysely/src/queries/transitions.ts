import type { TaskTransition } from 'evertask';
import { COLUMN_OF_FIELD, SPEC_OF_FIELD, patchedFields, type FieldType } from 'evertask/storage-kit';
import { sql, type Expression } from 'kysely';
import type { AnyKysely, DbRow } from '../database.js';
import type { ColumnKind } from '../dialects/dialect.js';
import { chunks } from '../row-mapping.js';
import type { QueryContext } from './context.js';

/** The history rows of the changes that applied, gathered for one multi-row insert per table. */
interface HistoryRows {
  statusAudit: DbRow[];
  runAudit: DbRow[];
  logs: DbRow[];
}

/** The column kind of each field type (for `SqlDialect.typedValue`). */
const KIND_OF: Readonly<Record<FieldType, ColumnKind>> = {
  uuid: 'id',
  name: 'text',
  text: 'text',
  status: 'word',
  'audit-level': 'word',
  outcome: 'word',
  'log-level': 'word',
  time: 'time',
  count: 'count',
  duration: 'double',
};

/** Most changes one UPDATE carries (each patched value is two parameters). */
const CHANGES_PER_UPDATE = 200;

/**
 * Status changes: a whole batch in one transaction, in a fixed number of statements whatever its
 * size. The rows of the batch are read and locked (`FOR UPDATE`, in id order; SQLite's write
 * lock), each change's guard (status in `from`, the lease owner when given) is decided on what
 * was read, and one UPDATE writes every applied change — `SET column = CASE id WHEN … THEN …
 * ELSE column END` per column — then the audit, run-audit and log rows of the applied ones go in
 * one INSERT per table. A change and its history are written together or not at all.
 *
 * The hand-tuned adapters send a batch as one statement (the batch as JSON read by
 * `jsonb_to_recordset` on PostgreSQL, `JSON_TABLE` on MySQL); this portable form costs a few more round trips and a
 * locking read (see docs/kysely.md).
 */
export class TransitionQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    if (changes.length === 0) return [];
    const { connection, tables } = this.#context;
    return connection.transaction('transition', async (db) => {
      const ids = [...new Set(changes.map((change) => change.id))].sort();
      const stored = new Map<string, { status: string; owner: unknown }>();
      for (const slice of chunks(ids, 1000)) {
        const query = db.selectFrom(tables.tasks).select(['id', 'status', 'lease_owner']).where('id', 'in', slice).orderBy('id');
        for (const row of (await connection.dialect.lockRows(query).execute()) as DbRow[]) {
          stored.set(String(row.id), { status: String(row.status), owner: row.lease_owner });
        }
      }
      const history: HistoryRows = { statusAudit: [], runAudit: [], logs: [] };
      const applied: TaskTransition[] = [];
      const result = changes.map((change) => {
        const row = stored.get(change.id);
        if (row === undefined || !(change.from as readonly string[]).includes(row.status)) return false;
        if (change.owner !== undefined && row.owner !== change.owner) return false;
        // a later change of the same task in this batch sees this one applied
        stored.set(change.id, { status: change.to, owner: change.patch?.leaseOwner !== undefined ? change.patch.leaseOwner : row.owner });
        applied.push(change);
        collectHistory(change, history);
        return true;
      });
      for (const round of rounds(applied)) {
        for (const slice of chunks(round, CHANGES_PER_UPDATE)) await this.#update(db, slice);
      }
      await this.#insertHistory(db, history);
      return result;
    });
  }

  /** One UPDATE writing every change of `changes` (one per task). */
  async #update(db: AnyKysely, changes: readonly TaskTransition[]): Promise<void> {
    const { dialect } = this.#context.connection;
    const perColumn = new Map<string, { id: string; value: Expression<unknown> }[]>();
    const put = (column: string, id: string, value: Expression<unknown>): void => {
      const list = perColumn.get(column) ?? [];
      list.push({ id, value });
      perColumn.set(column, list);
    };
    for (const change of changes) {
      put('status', change.id, dialect.typedValue(change.to, 'word'));
      put('updated_at', change.id, dialect.typedValue(change.at, 'time'));
      if (change.patch === undefined) continue;
      for (const field of patchedFields(change.patch)) {
        put(COLUMN_OF_FIELD[field], change.id, dialect.typedValue(change.patch[field], KIND_OF[SPEC_OF_FIELD[field].type]));
      }
    }
    const assignments = Object.fromEntries([...perColumn].map(([column, values]) => [column, caseOf(column, values, changes.length)]));
    await db.updateTable(this.#context.tables.tasks).set(assignments).where('id', 'in', changes.map((change) => change.id)).execute();
  }

  async #insertHistory(db: AnyKysely, history: HistoryRows): Promise<void> {
    const { statusAudit, runAudit, executionLogs } = this.#context.tables;
    const size = this.#context.chunkSize;
    for (const [table, rows] of [[statusAudit, history.statusAudit], [runAudit, history.runAudit], [executionLogs, history.logs]] as const) {
      for (const chunk of chunks(rows, size)) await db.insertInto(table).values(chunk).execute();
    }
  }
}

/** `CASE id WHEN … THEN … [ELSE column] END`: the value of `column` per task (kept where a task does not patch it). */
function caseOf(column: string, values: readonly { id: string; value: Expression<unknown> }[], rows: number): Expression<unknown> {
  const whens = values.map(({ id, value }) => sql`WHEN ${id} THEN ${value}`);
  const otherwise = values.length === rows ? sql`` : sql` ELSE ${sql.ref(column)}`;
  return sql`CASE ${sql.ref('id')} ${sql.join(whens, sql` `)}${otherwise} END`;
}

/** The changes in rounds in which each task appears once (a row is updated once per statement), in batch order. */
function rounds(changes: readonly TaskTransition[]): TaskTransition[][] {
  const result: TaskTransition[][] = [];
  const seen = new Map<string, number>();
  for (const change of changes) {
    const round = seen.get(change.id) ?? 0;
    seen.set(change.id, round + 1);
    (result[round] ??= []).push(change);
  }
  return result;
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
