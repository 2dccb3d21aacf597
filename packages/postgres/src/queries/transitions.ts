import { InvalidArgumentError, type ExecutionLogEntry, type TaskPatch, type TaskStatus, type TaskTransition } from 'evertask';
import type { QueryContext, Queryable } from '../connection.js';
import { PATCH_FIELDS, PATCH_KEYS, checkLog, checkPatch, checkStatuses, checkValue, isUuid } from '../input-validation.js';
import { toStorageError } from '../postgres-errors.js';
import { TASK_COLUMN_TYPES } from '../row-mapping.js';

function patchAssignments(): string {
  return PATCH_KEYS.map((key) => {
    const { column } = PATCH_FIELDS[key];
    const type = TASK_COLUMN_TYPES[column];
    const value = type === 'text' ? `c.p ->> '${key}'` : `(c.p ->> '${key}')::${type}`;
    return `${column} = CASE WHEN c.p ? '${key}' THEN ${value} ELSE t.${column} END`;
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
    AS c(i int, id uuid, f text[], o text, s text, at int8, p jsonb, a boolean, ae text, pa jsonb, r jsonb, l jsonb)
), u AS (
  UPDATE ${s}.tasks t SET
    status = c.s,
    updated_at = c.at,
    ${patchAssignments()}
  FROM c
  WHERE t.id = c.id AND t.status = ANY (c.f) AND (c.o IS NULL OR t.lease_owner = c.o)
  RETURNING t.id
), sa AS (
  INSERT INTO ${s}.status_audit (task_id, status, at, error)
  SELECT id, status, at, error FROM (
    SELECT c.id, pa.status, pa.at, pa.error, c.i, pa.n AS n
    FROM c JOIN u ON u.id = c.id
    CROSS JOIN LATERAL jsonb_to_recordset(c.pa) AS pa(n int, status text, at int8, error text)
    WHERE c.pa IS NOT NULL
    UNION ALL
    SELECT c.id, c.s, c.at, c.ae, c.i, 2147483647 FROM c JOIN u ON u.id = c.id WHERE c.a
  ) rows ORDER BY i, n
  RETURNING 1
), ra AS (
  INSERT INTO ${s}.run_audit (task_id, at, status, execution_time_ms, error)
  SELECT c.id, (c.r ->> 'at')::int8, c.r ->> 'status', (c.r ->> 'executionTimeMs')::float8, c.r ->> 'error'
  FROM c JOIN u ON u.id = c.id WHERE c.r IS NOT NULL
  RETURNING 1
), lg AS (
  INSERT INTO ${s}.execution_logs (id, task_id, at, level, message, exception, sequence)
  SELECT l.id, c.id, l.at, l.level, l.message, l.exception, l.sequence
  FROM c JOIN u ON u.id = c.id
  CROSS JOIN LATERAL jsonb_to_recordset(c.l)
    AS l(id uuid, at int8, level text, message text, exception text, sequence int)
  RETURNING 1
)
SELECT c.i FROM c JOIN u ON u.id = c.id`;
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
  i: number;
  id: string;
  f: readonly TaskStatus[];
  o: string | null;
  s: TaskStatus;
  at: number;
  p: TaskPatch;
  a: boolean;
  ae: string | null;
  pa?: { n: number; status: string; at: number; error: string | null }[];
  r?: { at: number; status: TaskStatus; executionTimeMs: number; error: string | null };
  l?: readonly ExecutionLogEntry[];
}

function transitionRow(change: TaskTransition, index: number): TransitionRow {
  const what = `transition: changes[${index}]`;
  if (typeof change !== 'object' || change === null) throw new InvalidArgumentError(`${what} must be an object.`);
  if (typeof change.id !== 'string') throw new InvalidArgumentError(`${what}.id must be a string.`);
  const from = checkStatuses(change.from, `${what}.from`);
  checkValue('status', change.to, `${what}.to`);
  checkValue('time', change.at, `${what}.at`);
  if (change.owner !== undefined && typeof change.owner !== 'string') throw new InvalidArgumentError(`${what}.owner must be a string.`);
  const keys = checkPatch(change.patch, `${what}.patch`);
  const patch: Record<string, unknown> = {};
  for (const key of keys) patch[key] = (change.patch as Record<string, unknown>)[key];
  const row: TransitionRow = {
    i: index,
    id: change.id,
    f: from,
    o: change.owner ?? null,
    s: change.to,
    at: change.at,
    p: patch as TaskPatch,
    a: change.audit !== undefined,
    ae: null,
  };
  if (change.audit !== undefined) {
    if (typeof change.audit !== 'object' || change.audit === null) throw new InvalidArgumentError(`${what}.audit must be { error }.`);
    checkValue('text?', change.audit.error ?? null, `${what}.audit.error`);
    row.ae = change.audit.error ?? null;
  }
  if (change.priorAudits !== undefined) {
    if (!Array.isArray(change.priorAudits)) throw new InvalidArgumentError(`${what}.priorAudits must be an array.`);
    row.pa = change.priorAudits.map((a, i) => {
      checkValue('status', a?.status, `${what}.priorAudits[${i}].status`);
      checkValue('time', a?.at, `${what}.priorAudits[${i}].at`);
      checkValue('text?', a?.error ?? null, `${what}.priorAudits[${i}].error`);
      return { n: i, status: a.status, at: a.at, error: a.error ?? null };
    });
  }
  if (change.runAudit !== undefined) {
    const ra = change.runAudit;
    if (typeof ra !== 'object' || ra === null) throw new InvalidArgumentError(`${what}.runAudit must be an object.`);
    checkValue('time', ra.at, `${what}.runAudit.at`);
    checkValue('status', ra.status, `${what}.runAudit.status`);
    checkValue('number?', ra.executionTimeMs, `${what}.runAudit.executionTimeMs`);
    checkValue('text?', ra.error ?? null, `${what}.runAudit.error`);
    row.r = { at: ra.at, status: ra.status, executionTimeMs: ra.executionTimeMs ?? 0, error: ra.error ?? null };
  }
  if (change.logs !== undefined) {
    if (!Array.isArray(change.logs)) throw new InvalidArgumentError(`${what}.logs must be an array.`);
    change.logs.forEach((log, i) => checkLog(log, `${what}.logs[${i}]`));
    if (change.logs.length > 0) row.l = change.logs;
  }
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
    if (!Array.isArray(changes)) throw new InvalidArgumentError('transition: "changes" must be an array.');
    const connection = this.#context.connection;
    const rows = changes.map((change, index) => transitionRow(change, index));
    const applied = new Array<boolean>(changes.length).fill(false);
    if (rows.length === 0) return applied;
    // Rows with ids that are not UUIDs cannot exist: they never apply.
    const valid = rows.filter((row) => isUuid(row.id));
    if (valid.length === 0) return applied;
    // Split into rounds in which every id appears once (an UPDATE touches a row once per
    // statement); changes of one id keep their order. Usually there is a single round.
    const rounds: TransitionRow[][] = [];
    const seen = new Map<string, number>();
    for (const row of valid) {
      const id = row.id.toLowerCase();
      const round = seen.get(id) ?? 0;
      seen.set(id, round + 1);
      (rounds[round] ??= []).push(row);
    }
    const runRound = async (db: Queryable, round: TransitionRow[]): Promise<void> => {
      const res = await db.query<{ i: number }>(connection.statement('transition', this.#transitionSql, [transitionJson(round)]));
      for (const r of res.rows) applied[r.i] = true;
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
