import { PATCH_FIELDS, PATCH_KEYS, TASK_COLUMNS, TASK_COLUMN_TYPES } from './row-mapping.js';

/** Task columns as selected (ids as text). */
export function taskSelectList(alias?: string): string {
  const p = alias === undefined ? '' : `${alias}.`;
  return TASK_COLUMNS.map((c) => (c === 'id' ? `${p}id::text AS id` : `${p}${c}`)).join(', ');
}

const WAITING = `('waiting', 'service-stopped')`;
const LEASED = `('queued', 'in-progress')`;

/** The SQL of every fixed statement, rendered once per schema. */
export interface StorageSql {
  transition: string;
  claim: string;
  claimQueues: string;
  renew: string;
  renewIds: string;
  nextDue: string;
  nextDueQueues: string;
  get: string;
  getByKey: string;
  remove: string;
  pending: string;
  pendingAfter: string;
  scheduled: string;
  statusAudit: string;
  runAudit: string;
  saveLogs: string;
  getLogs: string;
  countLogs: string;
  cleanup: string;
  notify: string;
  heartbeatInstance: string;
  removeInstance: string;
  listInstances: string;
}

/**
 * How `add` sends one column of a chunk: an array with a value per row (`unnest`), one value for
 * every row (a scalar parameter), or NULL for every row (a constant, no parameter).
 */
export type AddColumnMode = 'array' | 'same' | 'null';

/**
 * `add`: one statement per chunk, shaped by the chunk. Columns that vary arrive as one array each
 * and are expanded server-side by `unnest` (one parse, one plan, no per-row placeholders); a column
 * with one value for every row (the task name, the status, the queue, the counters) is one scalar
 * parameter, and a column that is NULL in every row (most of them, for a new task) is a constant,
 * so the server parses arrays only for what differs. The optional audit rows and the wake-up
 * NOTIFY ride in the same statement, so they commit (and the NOTIFY is delivered) exactly when the
 * insert commits, also inside a user's transaction. Data-modifying CTEs run to completion whether
 * or not the final SELECT reads them.
 *
 * Parameters: $1 channel, $2 notification payload (NULL: none), then one per `array`/`same`
 * column in column order.
 */
export function addSql(s: string, modes: readonly AddColumnMode[], audit: boolean): string {
  const select: string[] = [];
  const arrays: string[] = [];
  const names: string[] = [];
  let param = 2;
  TASK_COLUMNS.forEach((column, i) => {
    const type = TASK_COLUMN_TYPES[column];
    const mode = modes[i];
    if (mode === 'null') select.push(`NULL::${type}`);
    else if (mode === 'same') select.push(`$${++param}::${type}`);
    else {
      arrays.push(`$${++param}::${type}[]`);
      names.push(`c${i}`);
      select.push(`u.c${i}`);
    }
  });
  const from = arrays.length === 0 ? '' : ` FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')})`;
  const source = `SELECT ${select.join(', ')}${from}`;
  const auditCte = audit
    ? `,
aud AS (
  INSERT INTO ${s}.status_audit (task_id, status, at, error)
  SELECT id, status, updated_at, NULL FROM src
)`
    : '';
  return `WITH src (${TASK_COLUMNS.join(', ')}) AS (${source}),
ins AS (
  INSERT INTO ${s}.tasks (${TASK_COLUMNS.join(', ')}) SELECT * FROM src
)${auditCte}
SELECT pg_notify($1::text, $2::text) WHERE $2::text IS NOT NULL`;
}

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
 * `claimDue`: one statement. Each branch walks its own partial index in order and locks with
 * SKIP LOCKED (so concurrent claimers take disjoint rows without waiting); the union is cut to
 * the limit by due time and the winners are leased in the same statement. Two index-ordered
 * branches instead of one `OR` keep the claim O(limit) however large the backlog is.
 *
 * Parameters: $1 owner, $2 now, $3 limit, $4 lease ms, [$5 queues].
 */
function claimSql(s: string, withQueues: boolean): string {
  const q = withQueues ? ' AND queue = ANY ($5::text[])' : '';
  return `WITH due AS (
  SELECT id, due_at AS k FROM ${s}.tasks
  WHERE status IN ${WAITING} AND due_at <= $2::int8${q}
  ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED
), lapsed AS (
  SELECT id, COALESCE(LEAST(due_at, lease_expires_at), lease_expires_at) AS k FROM ${s}.tasks
  WHERE status IN ${LEASED} AND lease_expires_at <= $2::int8${q}
  ORDER BY lease_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED
), pick AS (
  SELECT id, k FROM (SELECT * FROM due UNION ALL SELECT * FROM lapsed) x ORDER BY k, id LIMIT $3
)
UPDATE ${s}.tasks t
SET status = 'queued', lease_owner = $1::text, lease_expires_at = $2::int8 + $4::int8, updated_at = $2::int8
FROM pick WHERE t.id = pick.id
RETURNING ${taskSelectList('t')}, pick.k AS claim_key`;
}

function nextDueSql(s: string, withQueues: boolean): string {
  const q = withQueues ? ' AND queue = ANY ($1::text[])' : '';
  return `SELECT LEAST(
  (SELECT min(due_at) FROM ${s}.tasks WHERE status IN ${WAITING}${q}),
  (SELECT min(lease_expires_at) FROM ${s}.tasks WHERE status IN ${LEASED}${q})
) AS next`;
}

export function buildSql(s: string): StorageSql {
  const cols = taskSelectList();
  return {
    transition: transitionSql(s),
    claim: claimSql(s, false),
    claimQueues: claimSql(s, true),
    renew: `UPDATE ${s}.tasks SET lease_expires_at = $2::int8 + $3::int8
WHERE status IN ${LEASED} AND lease_owner = $1::text`,
    renewIds: `UPDATE ${s}.tasks SET lease_expires_at = $2::int8 + $3::int8
WHERE id = ANY ($4::uuid[]) AND status IN ${LEASED} AND lease_owner = $1::text`,
    nextDue: nextDueSql(s, false),
    nextDueQueues: nextDueSql(s, true),
    get: `SELECT ${cols} FROM ${s}.tasks WHERE id = $1::uuid`,
    getByKey: `SELECT ${cols} FROM ${s}.tasks WHERE task_key = $1::text`,
    remove: `DELETE FROM ${s}.tasks WHERE id = $1::uuid`,
    pending: `SELECT ${cols} FROM ${s}.tasks
WHERE status IN ('waiting', 'queued', 'in-progress', 'service-stopped')
ORDER BY created_at, tasks.id LIMIT $1`,
    pendingAfter: `SELECT ${cols} FROM ${s}.tasks
WHERE status IN ('waiting', 'queued', 'in-progress', 'service-stopped') AND (created_at, id) > ($2::int8, $3::uuid)
ORDER BY created_at, tasks.id LIMIT $1`,
    scheduled: `SELECT ${cols} FROM ${s}.tasks
WHERE status = 'waiting' AND due_at <= $1::int8 ORDER BY due_at, tasks.id LIMIT $2`,
    statusAudit: `SELECT task_id::text AS task_id, status, at, error FROM ${s}.status_audit
WHERE task_id = $1::uuid ORDER BY at, id`,
    runAudit: `SELECT task_id::text AS task_id, at, status, execution_time_ms, error FROM ${s}.run_audit
WHERE task_id = $1::uuid ORDER BY at, id`,
    saveLogs: `INSERT INTO ${s}.execution_logs (id, task_id, at, level, message, exception, sequence)
SELECT l.id, $1::uuid, l.at, l.level, l.message, l.exception, l.sequence
FROM unnest($2::uuid[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::int4[])
  AS l(id, at, level, message, exception, sequence)`,
    getLogs: `SELECT id::text AS id, task_id::text AS task_id, at, level, message, exception, sequence
FROM ${s}.execution_logs WHERE task_id = $1::uuid ORDER BY at, sequence, execution_logs.id OFFSET $2 LIMIT $3`,
    countLogs: `SELECT count(*)::int AS n FROM ${s}.execution_logs WHERE task_id = $1::uuid`,
    cleanup: `WITH gone AS (
  DELETE FROM ${s}.tasks
  WHERE recurring IS NULL AND (
    ($1::int8 IS NOT NULL AND status = 'completed' AND updated_at < $1::int8)
    OR ($2::int8 IS NOT NULL AND status IN ('failed', 'cancelled') AND updated_at < $2::int8))
  RETURNING 1
), sa AS (
  DELETE FROM ${s}.status_audit WHERE at < $3::int8 RETURNING 1
), ra AS (
  DELETE FROM ${s}.run_audit WHERE at < $3::int8 RETURNING 1
), lg AS (
  DELETE FROM ${s}.execution_logs WHERE at < $4::int8 RETURNING 1
)
SELECT (SELECT count(*) FROM gone)::int AS tasks,
  ((SELECT count(*) FROM sa) + (SELECT count(*) FROM ra))::int AS audits,
  (SELECT count(*) FROM lg)::int AS logs`,
    notify: `SELECT pg_notify($1::text, $2::text)`,
    // the upsert and the purge of long-expired records in one statement (the purge never sees
    // the row the upsert writes: both run on the statement's snapshot, and it spares $1 anyway)
    heartbeatInstance: `WITH up AS (
  INSERT INTO ${s}.instances (id, hostname, pid, started_at, heartbeat_at, expires_at, queues)
  VALUES ($1::text, $2::text, $3::int4, $4::int8, $5::int8, $6::int8, $7::text[])
  ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, pid = EXCLUDED.pid, started_at = EXCLUDED.started_at,
    heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at, queues = EXCLUDED.queues
)
DELETE FROM ${s}.instances WHERE expires_at < $8::int8 AND id <> $1::text`,
    removeInstance: `DELETE FROM ${s}.instances WHERE id = $1::text`,
    listInstances: `SELECT id, hostname, pid, started_at, heartbeat_at, expires_at, queues FROM ${s}.instances ORDER BY started_at, id`,
  };
}
