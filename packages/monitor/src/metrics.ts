import { TASK_STATUSES } from 'evertask';
import type { EngineEvent, MonitorSource } from './data/monitor-source.js';
import { CounterFamily, HistogramFamily, PrometheusText } from './prometheus-text.js';

/** Upper bounds (seconds) of the execution-time histogram. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const NOT_STARTED = new Set(['waiting', 'queued', 'service-stopped']);

/**
 * `GET /metrics`: counters and the execution-time histogram of this process, from the engine's
 * events since the monitor was created; task counts by status and queue from the storage's
 * `count()` at each scrape (so they cover every process sharing the storage).
 */
export class EngineMetrics {
  readonly #source: MonitorSource;
  readonly #dispatched = new CounterFamily();
  readonly #completed = new CounterFamily();
  readonly #failed = new CounterFamily();
  readonly #retried = new CounterFamily();
  readonly #cancelled = new CounterFamily();
  readonly #recovered = new CounterFamily();
  readonly #storageErrors = new CounterFamily();
  readonly #duration = new HistogramFamily(DURATION_BUCKETS);

  constructor(source: MonitorSource) {
    this.#source = source;
  }

  observe(engineEvent: EngineEvent): void {
    switch (engineEvent.type) {
      case 'task:dispatched':
        this.#dispatched.add({ queue: engineEvent.event.queue, task: engineEvent.event.taskName });
        return;
      case 'task:completed': {
        const labels = { queue: engineEvent.event.queue, task: engineEvent.event.taskName };
        this.#completed.add(labels);
        this.#duration.observe({ ...labels, outcome: 'completed' }, engineEvent.event.durationMs / 1000);
        return;
      }
      case 'task:failed': {
        const labels = { queue: engineEvent.event.queue, task: engineEvent.event.taskName };
        this.#failed.add(labels);
        this.#duration.observe({ ...labels, outcome: 'failed' }, engineEvent.event.durationMs / 1000);
        return;
      }
      case 'task:retrying':
        this.#retried.add({ queue: engineEvent.event.queue, task: engineEvent.event.taskName });
        return;
      case 'task:cancelled':
        this.#cancelled.add({ queue: engineEvent.event.queue, task: engineEvent.event.taskName });
        return;
      case 'task:recovered':
        this.#recovered.add({ queue: engineEvent.event.queue, previous_status: engineEvent.event.previousStatus });
        return;
      case 'storage:error':
        this.#storageErrors.add({ operation: engineEvent.event.operation });
        return;
      default:
        return;
    }
  }

  /** The exposition text. */
  async render(): Promise<string> {
    const cells = await this.#source.countTasks({});
    const out = new PrometheusText();
    out.family('evertask_tasks', 'gauge', 'Stored tasks by queue and status (every process sharing the storage).');
    const queues = [...new Set(cells.map((cell) => cell.queue))].sort();
    const depth = new Map<string, number>();
    for (const queue of queues) {
      for (const status of TASK_STATUSES) {
        const count = cells.find((cell) => cell.queue === queue && cell.status === status)?.count ?? 0;
        out.sample('evertask_tasks', { queue, status }, count);
        if (NOT_STARTED.has(status)) depth.set(queue, (depth.get(queue) ?? 0) + count);
      }
    }
    out.family('evertask_queue_depth', 'gauge', 'Stored tasks of a queue not started yet (waiting, queued, service-stopped).');
    for (const queue of queues) out.sample('evertask_queue_depth', { queue }, depth.get(queue) ?? 0);
    const local = this.#source.localQueues();
    out.family('evertask_queue_running', 'gauge', 'Tasks of a queue running in this process.');
    for (const queue of local) out.sample('evertask_queue_running', { queue: queue.queue }, queue.running);
    out.family('evertask_queue_buffered', 'gauge', 'Tasks of a queue buffered in this process, waiting for a worker.');
    for (const queue of local) out.sample('evertask_queue_buffered', { queue: queue.queue }, queue.buffered);
    this.#dispatched.write(out, 'evertask_tasks_dispatched_total', 'Tasks dispatched by this process.');
    this.#completed.write(out, 'evertask_tasks_completed_total', 'Tasks completed in this process.');
    this.#failed.write(out, 'evertask_tasks_failed_total', 'Tasks failed for good in this process.');
    this.#retried.write(out, 'evertask_tasks_retried_total', 'Attempts that failed and were scheduled to retry, in this process.');
    this.#cancelled.write(out, 'evertask_tasks_cancelled_total', 'Tasks cancelled through this process.');
    this.#recovered.write(out, 'evertask_lease_takeovers_total', 'Interrupted tasks (expired lease, shutdown) taken over by this process.');
    this.#storageErrors.write(out, 'evertask_storage_errors_total', 'Failed storage writes seen by this process.');
    this.#duration.write(out, 'evertask_task_duration_seconds', 'Execution time of finished attempts in this process.');
    return out.toString();
  }
}
