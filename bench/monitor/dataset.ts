/**
 * The stored tasks of the `monitor` suite, generated inside the database in one statement (a
 * recursive CTE on SQLite, `generate_series` on PostgreSQL, a cross join of digits on MySQL), so
 * that a million rows take seconds, not the time of a million `add()` calls. The same rows on
 * every database, by task number i:
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

type Dialect = 'sqlite' | 'postgres' | 'mysql';

/** The few expressions that differ between the dialects. */
const SQL: Record<Dialect, { concat: (...parts: string[]) => string; div: (a: string, b: string) => string; hex12: string; id: (text: string) => string }> = {
  sqlite: { concat: (...parts) => parts.join(' || '), div: (a, b) => `${a} / ${b}`, hex12: `printf('%012x', i)`, id: (text) => text },
  postgres: {
    concat: (...parts) => parts.map((part) => (part.startsWith("'") ? part : `(${part})::text`)).join(' || '),
    div: (a, b) => `${a} / ${b}`,
    hex12: `lpad(to_hex(i), 12, '0')`,
    id: (text) => `(${text})::uuid`,
  },
  mysql: { concat: (...parts) => `CONCAT(${parts.join(', ')})`, div: (a, b) => `${a} DIV ${b}`, hex12: `LOWER(LPAD(HEX(i), 12, '0'))`, id: (text) => text },
};

/** The columns every row sets, in insert order, from the generated `g(i, c, st, ms, d)` (d: the run time in whole ms, for the times). */
function selectList(dialect: Dialect): string {
  const { concat, div, hex12, id } = SQL[dialect];
  return [
    id(concat(`'00000000-0000-7000-8000-'`, hex12)),
    concat(`'task-'`, 'i % 12'),
    concat(`'{"i":'`, 'i', `'}'`),
    `st`,
    `CASE ${div('i', '7')} % 4 WHEN 0 THEN 'default' WHEN 1 THEN 'mail' WHEN 2 THEN 'reports' ELSE 'billing' END`,
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

/** `INSERT … SELECT` of `n` tasks ending at `end`, the numbers 0 … n − 1 coming from `numbers` (a derived table of column `i`). */
function fill(dialect: Dialect, tasks: string, numbers: string, n: number, end: number): string {
  const { div } = SQL[dialect];
  const start = end - 30 * DAY_MS;
  return `INSERT INTO ${tasks} (${COLUMNS})
SELECT ${selectList(dialect)}
FROM (SELECT i, c, ${STATUS_CASE} AS st, ((i * 7919) % 5000) / 10.0 + 1 AS ms, ${div('(i * 7919) % 5000', '10')} + 1 AS d
      FROM (SELECT i, ${start} + ${div(`i * ${30 * DAY_MS}`, String(n))} AS c, (i * 37) % 100 AS p FROM ${numbers}) AS r) AS g`;
}

/** One INSERT of `n` tasks ending at `end` into SQLite table `tasks` (numbers from a recursive CTE). */
export function sqliteFill(tasks: string, n: number, end: number): string {
  const numbers = `(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${n}) SELECT i FROM s) AS numbers`;
  return fill('sqlite', tasks, numbers, n, end);
}

/** One INSERT of `n` tasks ending at `end` into PostgreSQL table `tasks` (schema-qualified; numbers from `generate_series`). */
export function postgresFill(tasks: string, n: number, end: number): string {
  return fill('postgres', tasks, `generate_series(0::int8, ${n - 1}) AS s(i)`, n, end);
}

/** One INSERT of `n` tasks ending at `end` into MySQL table `tasks` (numbers from a cross join of digits). */
export function mysqlFill(tasks: string, n: number, end: number): string {
  const places = Math.max(1, Math.ceil(Math.log10(n)));
  const digits = `(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)`;
  const joins = Array.from({ length: places }, (_, k) => `${digits} AS d${k}`).join(' CROSS JOIN ');
  const sum = Array.from({ length: places }, (_, k) => `d${k}.d * ${10 ** k}`).join(' + ');
  return fill('mysql', tasks, `(SELECT ${sum} AS i FROM ${joins}) AS numbers WHERE i < ${n}`, n, end);
}
