/**
 * Times the monitor's read routes over a filled storage: a monitor (`auth: false`) over an engine
 * that is never started (it would start claiming the stored tasks), each request answered by the
 * monitor's own fetch handler in this process (routes, validation, storage, JSON; no socket).
 * Every figure is the median of 5 timed requests after one warm-up request.
 */
import { EverTask, silentLogger, type TaskStorage } from 'evertask';
import { createMonitor } from '@evertask/monitor';
import type { Report } from '../lib/report.js';
import { median } from '../lib/stats.js';

const REPEATS = 5;

/** The requests timed, by scenario name. */
export const MONITOR_REQUESTS: readonly (readonly [string, string])[] = [
  ['task list: first page', '/api/tasks'],
  ['task list: failed on mail', '/api/tasks?statuses=failed&queue=mail'],
  ['task list: page 5,000', '/api/tasks?page=5000'],
  ['task list: sorted by name', '/api/tasks?sortBy=name&sortDescending=false'],
  ['task counts', '/api/tasks/counts'],
  ['overview (today)', '/api/dashboard/overview'],
  ['overview (month)', '/api/dashboard/overview?range=month'],
  ['queue metrics', '/api/queues'],
  ['success-rate trend (30 days)', '/api/statistics/success-rate-trend?period=last30days'],
  ['task types (month)', '/api/statistics/task-types?range=month'],
  ['execution times (month)', '/api/statistics/execution-times?range=month'],
];

/** Runs every request of `MONITOR_REQUESTS` on `storage` (open, filled with `expectedTasks`), adding a row each. */
export async function timeMonitorRoutes(report: Report, library: string, storage: TaskStorage, expectedTasks: number): Promise<void> {
  const everTask = new EverTask({ storage, tasks: [], logger: silentLogger });
  const monitor = createMonitor({ everTask, storage, auth: false });
  const request = async (path: string): Promise<unknown> => {
    const response = await monitor.fetch(new Request(`http://bench.local${path}`));
    const body = (await response.json()) as unknown;
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(body)}`);
    return body;
  };
  try {
    const counts = (await request('/api/tasks/counts')) as { all: number };
    if (counts.all !== expectedTasks) throw new Error(`the storage holds ${counts.all} tasks, expected ${expectedTasks}`);
    for (const [scenario, path] of MONITOR_REQUESTS) {
      await request(path);
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const started = performance.now();
        await request(path);
        times.push(performance.now() - started);
      }
      report.add({ scenario: `monitor: ${scenario}`, library, metric: 'latency', value: median(times), unit: 'ms', runs: times });
    }
  } finally {
    monitor.close();
  }
}
