import { z } from 'zod';
import { TASK_STATUSES, LOG_LEVELS, type TaskStatus } from 'evertask';
import { ApiError } from './errors.js';

/** Task ids are UUID strings (UUIDv7 from the engine). */
const TASK_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `:id` path parameter, or a 400 naming it. */
export function taskIdParam(value: string | undefined): string {
  if (value === undefined || !TASK_ID_RE.test(value)) {
    throw new ApiError('ERR_BAD_REQUEST', `Path parameter id must be a task id (a UUID); received ${JSON.stringify(value)}.`, 'id');
  }
  return value.toLowerCase();
}

const booleanText = (field: string) =>
  z.enum(['true', 'false'], { error: `${field} must be true or false` }).transform((text) => text === 'true');

const integerText = (field: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,15}$/, { error: `${field} must be a whole number` })
    .transform(Number)
    .pipe(z.number().min(min, { error: `${field} must be at least ${min}` }).max(max, { error: `${field} must be at most ${max}` }));

/** An ISO 8601 time (with a date) or epoch milliseconds. */
const instantText = (field: string) =>
  z.string().transform((text, ctx) => {
    const ms = /^\d{1,15}$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `${field} must be an ISO 8601 time (2026-12-03T18:00:00Z) or epoch milliseconds` });
      return z.NEVER;
    }
    return ms;
  });

const shortText = (field: string, max: number) => z.string().min(1, { error: `${field} must not be empty` }).max(max, { error: `${field} must be at most ${max} characters` });

export const SORT_FIELDS = ['createdAt', 'updatedAt', 'dueAt', 'lastExecutionAt', 'status', 'name', 'queue'] as const;

const statusList = z
  .array(z.string())
  .transform((values) => values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value.length > 0))
  .pipe(z.array(z.enum(TASK_STATUSES as [TaskStatus, ...TaskStatus[]], { error: `statuses must be among ${TASK_STATUSES.join(', ')}` })));

/** The filter fields of the task list, validated: what `listFilter` turns into a storage filter. */
export interface ListFilterFields {
  statuses?: TaskStatus[] | undefined;
  name?: string | undefined;
  queue?: string | undefined;
  recurring?: boolean | undefined;
  createdAfter?: number | undefined;
  createdBefore?: number | undefined;
  search?: string | undefined;
}

/** Query of `GET /tasks` and `GET /queues/:name/tasks`. */
export function taskListQuery(maxPageSize: number) {
  return z.strictObject({
    statuses: statusList.optional(),
    name: shortText('name', 200).optional(),
    queue: shortText('queue', 100).optional(),
    recurring: booleanText('recurring').optional(),
    createdAfter: instantText('createdAfter').optional(),
    createdBefore: instantText('createdBefore').optional(),
    search: shortText('search', 200).optional(),
    page: integerText('page', 1, 1_000_000).default(1),
    pageSize: integerText('pageSize', 1, maxPageSize).default(20),
    sortBy: z.enum(SORT_FIELDS, { error: `sortBy must be one of ${SORT_FIELDS.join(', ')}` }).default('createdAt'),
    sortDescending: booleanText('sortDescending').default(true),
  });
}

/** Query of `GET /tasks/:id/execution-logs`. */
export const executionLogsQuery = z.strictObject({
  skip: integerText('skip', 0, 1_000_000_000).default(0),
  take: integerText('take', 1, 1000).default(100),
  level: z.enum(LOG_LEVELS as [string, ...string[]], { error: `level must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
});

/** A time of a JSON body: ISO 8601 text or epoch milliseconds (a number or its digits). */
const instantValue = (field: string) => z.union([z.number().int().nonnegative().transform(String), z.string()], { error: `${field} must be an ISO 8601 time or epoch milliseconds` }).pipe(instantText(field));

/** Body of `POST /tasks/bulk`: the action and the list's filter fields (as JSON values). */
export const bulkActionBody = z.strictObject({
  action: z.enum(['retry', 'cancel'], { error: 'action must be retry or cancel' }),
  filter: z.strictObject({
    statuses: z.array(z.enum(TASK_STATUSES as [TaskStatus, ...TaskStatus[]], { error: `statuses must be among ${TASK_STATUSES.join(', ')}` })).optional(),
    name: shortText('name', 200).optional(),
    queue: shortText('queue', 100).optional(),
    recurring: z.boolean({ error: 'recurring must be true or false' }).optional(),
    createdAfter: instantValue('createdAfter').optional(),
    createdBefore: instantValue('createdBefore').optional(),
    search: shortText('search', 200).optional(),
  }, { error: 'filter must be an object of list filter fields' }),
});

/** Queue names as the engine accepts them. */
const QUEUE_NAME_RE = /^[A-Za-z0-9._:\-/]{1,100}$/;

/** The `:name` path parameter of a queue, or a 400 naming it. */
export function queueNameParam(value: string | undefined): string {
  if (value === undefined || !QUEUE_NAME_RE.test(value)) {
    throw new ApiError('ERR_BAD_REQUEST', `Path parameter name must be a queue name (1–100 letters, digits, ._:-/); received ${JSON.stringify(value)}.`, 'name');
  }
  return value;
}

export const TIME_RANGES = ['today', 'week', 'month', 'all'] as const;

export const rangeQuery = (fallback: (typeof TIME_RANGES)[number]) =>
  z.strictObject({ range: z.enum(TIME_RANGES, { error: `range must be one of ${TIME_RANGES.join(', ')}` }).default(fallback) });

export const trendQuery = z.strictObject({
  period: z.enum(['last7days', 'last30days', 'last90days'], { error: 'period must be one of last7days, last30days, last90days' }).default('last7days'),
});

export const limitQuery = z.strictObject({ limit: integerText('limit', 1, 500).default(50) });

/** Query keys that may repeat (`?statuses=a&statuses=b`). */
const LIST_KEYS = new Set(['statuses']);

/**
 * Validates a query string against a schema. Unknown parameters, repeated single-valued ones and
 * bad values answer 400 with a message naming the field.
 */
export function parseQuery<S extends z.ZodType>(schema: S, queries: Record<string, string[]>): z.output<S> {
  const input: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(queries)) {
    if (LIST_KEYS.has(key)) input[key] = values;
    else if (values.length > 1) throw new ApiError('ERR_BAD_REQUEST', `Query parameter ${key} is given ${values.length} times; give it once.`, key);
    else input[key] = values[0] as string;
  }
  return parseOrThrow(schema, input, 'Query parameter', true);
}

/**
 * Validates a JSON body or other input; the first issue answers 400 naming its field (and, with
 * `echoValue`, the value received: never for bodies, which carry passwords).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string, echoValue = false): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = (issue?.path[0] === undefined ? '' : String(issue.path[0])) || (issue && 'keys' in issue ? String((issue.keys as string[])[0]) : '');
  let message = issue?.message ?? 'invalid input';
  if (issue?.code === 'unrecognized_keys') message = `unknown ${what.toLowerCase()} ${JSON.stringify(field)}`;
  else if (echoValue && field && typeof input === 'object' && input !== null && field in input) {
    message += `; received ${JSON.stringify((input as Record<string, unknown>)[field])}`;
  }
  throw new ApiError('ERR_BAD_REQUEST', `${what} ${field}: ${message}.`, field || undefined);
}

/** A route that takes no query parameters. */
export const noQuery = z.strictObject({});
