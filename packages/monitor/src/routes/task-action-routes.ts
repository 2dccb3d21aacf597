import { Hono } from 'hono';
import type { Logger, TaskStatus } from 'evertask';
import type { BulkActionResponse, CancelResponse, DeleteResponse, TaskActionResponse } from '../api-types.js';
import type { MonitorEnv } from '../monitor-env.js';
import type { MonitorSource } from '../data/monitor-source.js';
import { ApiError } from '../errors.js';
import { jsonBody } from '../request-body.js';
import { bulkActionBody, noQuery, parseOrThrow, parseQuery } from '../validation.js';
import { existingTask, listFilter } from './task-routes.js';

/** Most tasks one `POST /tasks/bulk` acts on; the answer says when more matched. */
export const BULK_LIMIT = 10_000;
/** Tasks read per page by a bulk action. */
const BULK_PAGE = 200;
/** Tasks a bulk action changes at once (the engine batches their writes). */
const BULK_PARALLEL = 50;

/** The statuses each bulk action applies to. */
const BULK_STATUSES: Record<'retry' | 'cancel', readonly TaskStatus[]> = {
  retry: ['failed'],
  cancel: ['waiting', 'queued', 'in-progress', 'service-stopped'],
};

/** One action on one task, by the route that answers it. */
interface TaskAction {
  path: string;
  verb: string;
  /** What the task must be for the action, for the 409 message. */
  needs: string;
  run(source: MonitorSource, id: string, actor: string): Promise<boolean>;
}

const TASK_ACTIONS: readonly TaskAction[] = [
  { path: 'run-now', verb: 'made due now', needs: 'waiting', run: (source, id, actor) => source.runNow(id, actor) },
  { path: 'retry', verb: 'retried', needs: 'failed', run: (source, id, actor) => source.retry(id, actor) },
];

/**
 * `/tasks` actions: `POST /:id/cancel`, `/:id/run-now`, `/:id/retry`, `DELETE /:id` and
 * `POST /bulk`. Each is done by the engine with the session's username as the actor (recorded in
 * the task's history and the engine log) and reported to the monitor's logger; 404 for an unknown
 * task, 409 when its status does not allow the action.
 */
export function taskActionRoutes(source: MonitorSource, logger: Logger): Hono<MonitorEnv> {
  const routes = new Hono<MonitorEnv>();

  routes.post('/bulk', async (c) => {
    parseQuery(noQuery, c.req.queries());
    const body = parseOrThrow(bulkActionBody, await jsonBody(c), 'Body field');
    const actor = c.get('session').username;
    const answer = await bulkAction(source, body.action, listFilter(body.filter), actor);
    logger.info(`[@evertask/monitor] ${actor} bulk ${body.action}: ${answer.applied} of ${answer.matched} matching tasks.`, { actor, ...answer });
    return c.json(answer);
  });

  routes.post('/:id/cancel', async (c) => {
    const task = await existingTask(source, c.req.param('id'));
    const actor = c.get('session').username;
    const cancelled = await source.cancel(task.id, actor);
    const after = await source.getTask(task.id);
    if (!cancelled) throw new ApiError('ERR_CONFLICT', `Task ${task.id} is ${after?.status ?? task.status}: there is nothing to cancel.`);
    logger.info(`[@evertask/monitor] ${actor} cancelled task ${task.id} (${task.name}, was ${task.status}).`, { actor, taskId: task.id });
    const answer: CancelResponse = { id: task.id, cancelled, status: after?.status ?? 'cancelled' };
    return c.json(answer);
  });

  for (const action of TASK_ACTIONS) {
    routes.post(`/:id/${action.path}`, async (c) => {
      const task = await existingTask(source, c.req.param('id'));
      const actor = c.get('session').username;
      if (!(await action.run(source, task.id, actor))) {
        const now = (await source.getTask(task.id))?.status ?? task.status;
        throw new ApiError('ERR_CONFLICT', `Task ${task.id} is ${now}: only a ${action.needs} task can be ${action.verb}.`);
      }
      logger.info(`[@evertask/monitor] ${actor} ${action.verb} task ${task.id} (${task.name}).`, { actor, taskId: task.id });
      const after = await source.getTask(task.id);
      const answer: TaskActionResponse = { id: task.id, action: action.path as TaskActionResponse['action'], status: after?.status ?? task.status };
      return c.json(answer);
    });
  }

  routes.delete('/:id', async (c) => {
    const task = await existingTask(source, c.req.param('id'));
    const actor = c.get('session').username;
    if (!(await source.deleteTask(task.id, actor))) {
      const now = (await source.getTask(task.id))?.status ?? task.status;
      throw new ApiError('ERR_CONFLICT', `Task ${task.id} is ${now}: only a completed, failed or cancelled task can be deleted.`);
    }
    logger.info(`[@evertask/monitor] ${actor} deleted task ${task.id} (${task.name}, ${task.status}).`, { actor, taskId: task.id });
    const answer: DeleteResponse = { id: task.id, deleted: true };
    return c.json(answer);
  });

  return routes;
}

/**
 * Applies `action` to every task matching `filter` whose status allows it, up to `BULK_LIMIT`:
 * the ids are read page by page (oldest first) before any is changed, so the paging never skips a
 * task the action moved out of the filter; then `BULK_PARALLEL` at a time are acted on.
 */
async function bulkAction(source: MonitorSource, action: 'retry' | 'cancel', filter: Parameters<MonitorSource['queryTasks']>[0], actor: string): Promise<BulkActionResponse> {
  const matched = (await source.queryTasks(filter, { limit: 0 })).total;
  const applicable = BULK_STATUSES[action].filter((status) => filter.statuses === undefined || filter.statuses.includes(status));
  const ids: string[] = [];
  if (applicable.length > 0) {
    const candidates = { ...filter, statuses: applicable };
    for (let offset = 0; ids.length < BULK_LIMIT; offset += BULK_PAGE) {
      const page = await source.queryTasks(candidates, { offset, limit: Math.min(BULK_PAGE, BULK_LIMIT - ids.length), sortBy: 'createdAt', descending: false });
      ids.push(...page.items.map((task) => task.id));
      if (page.items.length < BULK_PAGE) break;
    }
  }
  let applied = 0;
  for (let start = 0; start < ids.length; start += BULK_PARALLEL) {
    const chunk = ids.slice(start, start + BULK_PARALLEL);
    const results = await Promise.all(chunk.map((id) => (action === 'retry' ? source.retry(id, actor) : source.cancel(id, actor))));
    applied += results.filter(Boolean).length;
  }
  return { action, matched, applied, skipped: Math.max(0, matched - applied), limit: BULK_LIMIT, truncated: ids.length >= BULK_LIMIT };
}
