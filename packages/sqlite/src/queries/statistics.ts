/**
 * The statistics (`TaskStatistics`): each call is one statement over a covering index
 * (migration 0004), so it reads index entries only, never the table.
 *
 * SQLite aggregates a GROUP BY whose keys do not follow an index by sorting every input row, which
 * over a month of a million tasks costs more than the counting. So the timeline does not group by
 * bucket: it walks the (bucket × status) grid — a recursive CTE of bucket numbers, joined with the
 * seven statuses — and counts each cell as one range of the (status, created_at, …) index in a
 * correlated subquery. The groups do the same over the (name|queue, status, created_at, …) index:
 * the distinct keys found by one index seek each, each (key, status) cell counted as a range. Both
 * return the kit's statistics rows, folded by `timelineFromRows` and `groupsFromRows`.
 */
import { StorageError, TASK_STATUSES, type TaskGroup, type TaskGroupRequest, type TimelineBucket, type TimelineRequest } from 'evertask';
import { groupsFromRows, timelineBucketCount, timelineFromRows, type Row } from 'evertask/storage-kit';
import type { QuerySession } from './query-session.js';

type Session = QuerySession<unknown>;

const STORAGE = 'SqliteStorage';
const STATUS_ROWS = TASK_STATUSES.map((status) => `('${status}')`).join(', ');
const AGGREGATES = 'COUNT(*), COUNT(execution_time_ms), SUM(execution_time_ms), MIN(execution_time_ms), MAX(execution_time_ms)';

/** The logs of a task (of `levels` only, when given), counted on its (task_id, …) index. */
export function countLogs(session: Session, taskId: string, levels: readonly string[] | undefined): number {
  const logs = session.tables.logs;
  const row =
    levels === undefined
      ? session.cached('lc', () => `SELECT COUNT(*) AS n FROM ${logs} WHERE task_id = ?`).get(taskId)
      : session.cached('lcl', () => `SELECT COUNT(*) AS n FROM ${logs} WHERE task_id = ? AND level IN (SELECT value FROM json_each(?))`).get(taskId, JSON.stringify(levels));
  return Number((row as { n: unknown }).n);
}

/** One (bucket or key, status) cell's aggregates, a JSON array `[n, timed, total, min, max]`, as a statistics row. */
function cellRow(row: Row, location: string): Row | undefined {
  let cell: unknown;
  try {
    cell = JSON.parse(String(row['agg']));
  } catch (error) {
    throw new StorageError(`SQLite storage (${location}): the timeline read unparsable aggregates ${String(row['agg'])}.`, { cause: error });
  }
  const [n, timed, total, min, max] = Array.isArray(cell) ? (cell as unknown[]) : [];
  if (n === 0) return undefined;
  return { slot: row['slot'], status: row['status'], n, timed, total_ms: total, min_ms: min, max_ms: max };
}

/** The timeline statement (named parameters `@buckets, @from, @to, @bucketMs` and `@queue` when `queue`). */
export function timelineSql(tasks: string, queue: boolean): string {
  return `WITH RECURSIVE b(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM b WHERE i + 1 < @buckets),
       s(status) AS (VALUES ${STATUS_ROWS})
     SELECT b.i AS slot, s.status AS status,
       (SELECT json_array(${AGGREGATES}) FROM ${tasks} INDEXED BY ${tasks}_status
         WHERE status = s.status AND created_at >= @from + b.i * @bucketMs AND created_at < min(@from + (b.i + 1) * @bucketMs, @to)
         ${queue ? 'AND queue = @queue' : ''}) AS agg
     FROM b, s`;
}

/**
 * The groups statement, by `column`, with the given conditions (named parameters): the distinct
 * keys are walked on the (key, status, created_at, …) index one seek each (`MIN(key) WHERE key >
 * previous`), and each (key, status) cell is counted as one range of it, so a creation window
 * reads only the entries inside it.
 */
export function groupsSql(tasks: string, column: 'name' | 'queue', conditions: readonly string[]): string {
  const index = `${tasks} INDEXED BY ${tasks}_${column}`;
  const extra = conditions.map((condition) => ` AND ${condition}`).join('');
  return `WITH RECURSIVE k(key) AS (
       SELECT MIN(${column}) FROM ${index}
       UNION ALL SELECT (SELECT MIN(${column}) FROM ${index} WHERE ${column} > k.key) FROM k WHERE k.key IS NOT NULL),
       s(status) AS (VALUES ${STATUS_ROWS})
     SELECT k.key AS slot, s.status AS status,
       (SELECT json_array(${AGGREGATES}) FROM ${index} WHERE ${column} = k.key AND status = s.status${extra}) AS agg
     FROM k, s WHERE k.key IS NOT NULL`;
}

/** The statistics rows of the (slot, status) cells of a grid statement, empty cells left out. */
function cellRows(rows: readonly Row[], location: string): Row[] {
  const out: Row[] = [];
  for (const row of rows) {
    const cell = cellRow(row, location);
    if (cell !== undefined) out.push(cell);
  }
  return out;
}

export function taskTimeline(session: Session, request: TimelineRequest): TimelineBucket[] {
  const buckets = timelineBucketCount(request);
  if (buckets === 0) return [];
  const { tasks } = session.tables;
  const queue = request.queue !== undefined;
  const statement = session.cached(`st|${queue ? 'q' : ''}`, () => timelineSql(tasks, queue));
  const params: Record<string, unknown> = { buckets, from: request.from, to: request.to, bucketMs: request.bucketMs };
  if (queue) params['queue'] = request.queue;
  return timelineFromRows(cellRows(statement.all(params) as Row[], session.location), request, STORAGE);
}

export function taskGroups(session: Session, request: TaskGroupRequest): TaskGroup[] {
  const { tasks } = session.tables;
  const column = request.groupBy === 'name' ? 'name' : 'queue';
  const conditions: string[] = [];
  const params: Record<string, unknown> = {};
  for (const [key, sql] of [['from', 'created_at >= @from'], ['to', 'created_at < @to'], ['queue', 'queue = @queue']] as const) {
    if (request[key] === undefined) continue;
    conditions.push(sql);
    params[key] = request[key];
  }
  const statement = session.cached(`sg|${column}|${Object.keys(params).join(',')}`, () => groupsSql(tasks, column, conditions));
  return groupsFromRows(cellRows(statement.all(params) as Row[], session.location), STORAGE);
}
