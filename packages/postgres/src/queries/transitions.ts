import type { ExecutionLogEntry, TaskPatch, TaskStatus, TaskTransition } from 'evertask';
import { COLUMN_OF_FIELD, TASK_PATCH_FIELDS, patchedFields } from 'evertask/storage-kit';
import type { QueryContext, Queryable } from '../connection.js';
import { toStorageError } from '../postgres-errors.js';
import { TASK_COLUMN_TYPES } from '../row-mapping.js';

function patchAssignments(): string {
  return TASK_PATCH_FIELDS.map((key) => {
    const column = COLUMN_OF_FIELD[key];
    const type = TASK_COLUMN_TYPES[column];
    const value = type === 'text' ? `c.patch ->> '${key}'` : `(c.patch ->> '${key}')::${type}`;
    return `${column} = CASE WHEN c.patch ? '${key}' THEN ${value} ELSE t.${column} END`;
  }).join(',\n    ');
}

/**
 * `transition`: the whole batch in one statement. The changes arrive as one JSON array
 * ($1); the UPDATE applies each change only when its guard holds (status in `from`, lease owner)
 * and returns the applied ids; the audit, run-audit and log rows are inserted for those ids only,
 * in the same statement, so a change and its history are written together or not at all.
 * The batch must not repeat an id (the storage splits such batches into rounds).
 */
function transitionSql(s: string): string {
  return `WITH c AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS c(change_no int, id uuid, from_statuses text[], owner text, to_status text, at int8, patch jsonb,
      audit boolean, audit_error text, audit_actor text, prior_audits jsonb, run_audit jsonb, logs jsonb)
), u AS (
  UPDATE ${s}.tasks t SET
    status = c.to_status,
    updated_at = c.at,
    ${patchAssignments()}
  FROM c
  WHERE t.id = c.id AND t.status = ANY (c.from_statuses) AND (c.owner IS NULL OR t.lease_owner = c.owner)
  RETURNING t.id
), sa AS (
  INSERT INTO ${s}.status_audit (task_id, status, at, error, actor)
  SELECT id, status, at, error, actor FROM (
    SELECT c.id, prior.status, prior.at, prior.error, NULL::text AS actor, c.change_no, prior.prior_no
    FROM c JOIN u ON u.id = c.id
    CROSS JOIN LATERAL jsonb_to_recordset(c.prior_audits) AS prior(prior_no int, status text, at int8, error text)
    WHERE c.prior_audits IS NOT NULL
    UNION ALL
    SELECT c.id, c.to_status, c.at, c.audit_error, c.audit_actor, c.change_no, 2147483647 FROM c JOIN u ON u.id = c.id WHERE c.audit
  ) rows ORDER BY change_no, prior_no
  RETURNING 1
), ra AS (
  INSERT INTO ${s}.run_audit (task_id, at, status, execution_time_ms, error)
  SELECT c.id, (c.run_audit ->> 'at')::int8, c.run_audit ->> 'status', (c.run_audit ->> 'executionTimeMs')::float8, c.run_audit ->> 'error'
  FROM c JOIN u ON u.id = c.id WHERE c.run_audit IS NOT NULL
  RETURNING 1
), lg AS (
  INSERT INTO ${s}.execution_logs (id, task_id, at, level, message, exception, sequence)
  SELECT log.id, c.id, log.at, log.level, log.message, log.exception, log.sequence
  FROM c JOIN u ON u.id = c.id
  CROSS JOIN LATERAL jsonb_to_recordset(c.logs)
    AS log(id uuid, at int8, level text, message text, exception text, sequence int)
  RETURNING 1
)
SELECT c.change_no FROM c JOIN u ON u.id = c.id`;
}

/**
 * The JSON of a transition batch. Text PostgreSQL cannot store — a lone UTF-16 surrogate or a NUL,
 * e.g. in an exception message — is replaced by U+FFFD rather than failing the write: a status
 * change that can never be written would leave its task running until its lease lapsed, again and
 * again. (`JSON.stringify` escapes exactly those as `\udXXX` / `\u0000`, so the check is cheap.)
 */
function transitionJson(round: readonly TransitionRow[]): string {
  const json = JSON.stringify(round);
  if (!/\\u(?:d[89a-f]|0000)/i.test(json)) return json;
  return JSON.stringify(round, (_key, value: unknown) =>
    typeof value === 'string' ? (value as string & { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '\ufffd') : value,
  );
}

/** One transition as the JSON row the transition statement reads. */
interface TransitionRow {
  /** Position in the batch: the statement returns it for each change that applied. */
  change_no: number;
  id: string;
  from_statuses: readonly TaskStatus[];
  owner: string | null;
  to_status: TaskStatus;
  at: number;
  patch: TaskPatch;
  /** Whether to write the status-audit row of the change (with `audit_error`). */
  audit: boolean;
  audit_error: string | null;
  audit_actor: string | null;
  prior_audits?: { prior_no: number; status: string; at: number; error: string | null }[];
  run_audit?: { at: number; status: TaskStatus; executionTimeMs: number; error: string | null };
  logs?: readonly ExecutionLogEntry[];
}

/** One checked transition as its JSON row (only the patch fields it sets). */
function transitionRow(change: TaskTransition, index: number): TransitionRow {
  const patch: Record<string, unknown> = {};
  if (change.patch !== undefined) for (const key of patchedFields(change.patch)) patch[key] = change.patch[key];
  const row: TransitionRow = {
    change_no: index,
    id: change.id,
    from_statuses: change.from,
    owner: change.owner ?? null,
    to_status: change.to,
    at: change.at,
    patch: patch as TaskPatch,
    audit: change.audit !== undefined,
    audit_error: change.audit?.error ?? null,
    audit_actor: change.audit?.actor ?? null,
  };
  if (change.priorAudits !== undefined) {
    row.prior_audits = change.priorAudits.map((prior, priorNo) => ({ prior_no: priorNo, status: prior.status, at: prior.at, error: prior.error }));
  }
  if (change.runAudit !== undefined) {
    const run = change.runAudit;
    row.run_audit = { at: run.at, status: run.status, executionTimeMs: run.executionTimeMs, error: run.error };
  }
  if (change.logs !== undefined && change.logs.length > 0) row.logs = change.logs;
  return row;
}

/** Status changes: `transition`, a whole batch with its history rows in one statement. */
export class TransitionQueries {
  readonly #context: QueryContext;
  readonly #transitionSql: string;

  constructor(context: QueryContext) {
    this.#context = context;
    this.#transitionSql = transitionSql(context.quotedSchema);
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    const connection = this.#context.connection;
    const rows = changes.map((change, index) => transitionRow(change, index));
    const applied = new Array<boolean>(changes.length).fill(false);
    // Split into rounds in which every id appears once (an UPDATE touches a row once per
    // statement); changes of one id keep their order. Usually there is a single round.
    const rounds: TransitionRow[][] = [];
    const seen = new Map<string, number>();
    for (const row of rows) {
      const round = seen.get(row.id) ?? 0;
      seen.set(row.id, round + 1);
      (rounds[round] ??= []).push(row);
    }
    const runRound = async (db: Queryable, round: TransitionRow[]): Promise<void> => {
      const res = await db.query<{ change_no: number }>(connection.statement('transition', this.#transitionSql, [transitionJson(round)]));
      for (const row of res.rows) applied[row.change_no] = true;
    };
    if (rounds.length === 1) {
      try {
        await runRound(connection.pool, rounds[0] as TransitionRow[]);
      } catch (error) {
        throw toStorageError('transition', error);
      }
      return applied;
    }
    await connection.transaction('transition', async (client) => {
      for (const round of rounds) await runRound(client, round);
    });
    return applied;
  }
}
