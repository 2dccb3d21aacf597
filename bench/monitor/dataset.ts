/**
 * The stored tasks of the `monitor` suite, generated inside the database in one statement (a
 * recursive CTE on SQLite, `generate_series` on PostgreSQL), so that a million rows take seconds,
 * not the time of a million `add()` calls. The same rows on both, by task number i:
 * - created over the 30 days before `end`, evenly, in order of i;
 * - status by (i × 37) mod 100: 70 % completed, 10 % failed, 10 % waiting, 5 % cancelled,
 *   2 % queued, 2 % in-progress (both leased by `bench`), 1 % service-stopped;
 * - 12 task names (`task-0` … `task-11`, i mod 12), 4 queues (default, mail, reports, billing, by
 *   ⌊i / 7⌋ mod 4); finished tasks ran 1 to 500 ms ((i × 7919) mod 5000 / 10 + 1);
 * - ids `00000000-0000-7000-8000-<i in 12 hex digits>`.
 */

export const DAY_MS = 86_400_000;

/** How many tasks (`BENCH_MONITOR_TASKS`, default 1,000,000). */
export function datasetSize(): number {
  const text = process.env.BENCH_MONITOR_TASKS ?? '1000000';
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1_000) throw new Error(`BENCH_MONITOR_TASKS must be a whole number of at least 1000; got ${JSON.stringify(text)}`);
  return n;
}

/** The status of task i, as one SQL CASE over `p` = (i × 37) mod 100. */
const STATUS_CASE = `CASE WHEN p < 70 THEN 'completed' WHEN p < 80 THEN 'failed' WHEN p < 90 THEN 'waiting'
  WHEN p < 95 THEN 'cancelled' WHEN p < 97 THEN 'queued' WHEN p < 99 THEN 'in-progress' ELSE 'service-stopped' END`;

/** The columns every row sets, in insert order, from the generated `g(i, c, p, st, ms, d)` (d: the run time in whole ms, for the times). */
function selectList(dialect: 'sqlite' | 'postgres'): string {
  const hex = dialect === 'sqlite' ? `printf('%012x', i)` : `lpad(to_hex(i), 12, '0')`;
  const text = (sql: string): string => (dialect === 'sqlite' ? sql : `(${sql})::text`);
  return [
    `${dialect === 'sqlite' ? `'00000000-0000-7000-8000-' || ${hex}` : `('00000000-0000-7000-8000-' || ${hex})::uuid`}`,
    `'task-' || ${text('i % 12')}`,
    `'{"i":' || ${text('i')} || '}'`,
    `st`,
    `CASE (i / 7) % 4 WHEN 0 THEN 'default' WHEN 1 THEN 'mail' WHEN 2 THEN 'reports' ELSE 'billing' END`,
    `'none'`,
    `c`,
    `CASE WHEN st IN ('completed', 'failed') THEN c + d ELSE c END`,
    `CASE WHEN st IN ('waiting', 'service-stopped') THEN c END`,
    `CASE WHEN st IN ('completed', 'failed') THEN c + d END`,
    `CASE WHEN st IN ('completed', 'failed') THEN ms END`,
    `CASE WHEN st = 'failed' THEN 'Error: bench failure' END`,
    `CASE WHEN st IN ('queued', 'in-progress') THEN 'bench' END`,
    `CASE WHEN st IN ('queued', 'in-progress') THEN c + 30000 END`,
  ].join(',\n    ');
}

const COLUMNS =
  'id, name, payload, status, queue, audit_level, created_at, updated_at, due_at, last_execution_at, execution_time_ms, error, lease_owner, lease_expires_at';

/** One INSERT of `n` tasks ending at `end` into SQLite table `tasks`. */
export function sqliteFill(tasks: string, n: number, end: number): string {
  const start = end - 30 * DAY_MS;
  return `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${n}),
  g AS (SELECT i, c, p, ${STATUS_CASE} AS st, ((i * 7919) % 5000) / 10.0 + 1 AS ms, ((i * 7919) % 5000) / 10 + 1 AS d
        FROM (SELECT i, ${start} + (i * ${30 * DAY_MS}) / ${n} AS c, (i * 37) % 100 AS p FROM n))
INSERT INTO ${tasks} (${COLUMNS})
SELECT ${selectList('sqlite')}
FROM g`;
}

/** One INSERT of `n` tasks ending at `end` into PostgreSQL table `tasks` (schema-qualified). */
export function postgresFill(tasks: string, n: number, end: number): string {
  const start = end - 30 * DAY_MS;
  return `INSERT INTO ${tasks} (${COLUMNS})
SELECT ${selectList('postgres')}
FROM (SELECT i, c, p, ${STATUS_CASE} AS st, ((i * 7919) % 5000) / 10.0 + 1 AS ms, ((i * 7919) % 5000) / 10 + 1 AS d
      FROM (SELECT i, ${start}::int8 + (i * ${30 * DAY_MS}) / ${n} AS c, (i * 37) % 100 AS p FROM generate_series(0::int8, ${n - 1}) AS s(i)) AS r) AS g`;
}
