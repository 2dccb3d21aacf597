import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../src/index.js';
import { describeEachBackend, quickTask } from '../support/monitor-fixture.js';
import { get, login, waitUntil, type Credentials } from '../support/http-client.js';

/** Every GET route of the API; `:id` is replaced by a real task id, a random UUID or junk. */
const ROUTES = [
  '/api/tasks', '/api/tasks/counts', '/api/tasks/:id', '/api/tasks/:id/status-audit', '/api/tasks/:id/runs-audit',
  '/api/tasks/:id/execution-logs', '/api/dashboard/overview', '/api/dashboard/recent-activity', '/api/queues',
  '/api/queues/configurations', '/api/queues/:queue/tasks', '/api/statistics/success-rate-trend', '/api/statistics/task-types',
  '/api/statistics/execution-times', '/api/instances', '/api/rate-limits', '/api/engine',
];

const PARAMETERS = [
  'page', 'pageSize', 'skip', 'take', 'limit', 'sortBy', 'sortDescending', 'status', 'statuses', 'name', 'queue', 'recurring',
  'createdAfter', 'createdBefore', 'search', 'range', 'level', 'minLevel', 'days', 'keys', 'id',
];

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', '-1', '0', '1e309', 'NaN', 'true', 'false', 'null', 'completed,failed', 'createdAt', 'name; DROP TABLE x', '%', '_', '\\', '2026-13-45T99:99:99Z', '../../etc/passwd'),
);
const query = fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PARAMETERS) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }), value), { maxLength: 5 });
const segment = fc.oneof(fc.constant('REAL'), fc.uuid(), fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('default', '..', '%00', 'emails'));

await describeEachBackend(import.meta.url, 'GET routes, any query string', (fixture) => {
  let admin: Credentials;
  let taskId: string;
  beforeAll(async () => {
    admin = await login(fixture().url);
  });

  it('answer 200, or 400/404 with a message naming the problem; never 500', async () => {
    taskId = await fixture().everTask.dispatch(quickTask, { n: 1 });
    await waitUntil(async () => (await fixture().everTask.getTask(taskId))?.status === 'completed', 'the task to complete');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), segment, query, async (route, part, pairs) => {
        const filled = part === 'REAL' ? taskId : encodeURIComponent(part);
        const path = route.replace(':id', filled).replace(':queue', part === 'REAL' ? 'default' : filled);
        const search = new URLSearchParams(pairs).toString();
        const answer = await get<ApiErrorBody>(fixture().url, `${path}${search ? `?${search}` : ''}`, admin);
        expect([200, 400, 404], `${path}?${search} answered ${answer.status}: ${JSON.stringify(answer.body)}`).toContain(answer.status);
        if (answer.status !== 200) {
          expect(answer.body.error.code).toMatch(/^ERR_/);
          expect(answer.body.error.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 150 },
    );
  });
});
