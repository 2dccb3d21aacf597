import {
  LOG_LEVELS,
  type EverTask,
  type EverTaskEventName,
  type ExecutionLogEntry,
  type LogLevel,
  type TaskStorage,
  type Clock,
} from 'evertask';
import type { EngineEvent, ExecutionLogSlice, MonitorSource } from './monitor-source.js';
import { deriveExecutionTimes, deriveOverview, deriveQueueMetrics, deriveSuccessRateTrend, deriveTaskTypes } from './derived-statistics.js';

/** Every engine event, so that a new one added to `EverTaskEvents` fails to compile here until listed. */
const EVENT_NAMES: Record<EverTaskEventName, true> = {
  'task:dispatched': true,
  'task:started': true,
  'task:completed': true,
  'task:failed': true,
  'task:retrying': true,
  'task:cancelled': true,
  'task:stopped': true,
  'task:recovered': true,
  'task:poisoned': true,
  'task:rate-limited': true,
  'recurring:missed': true,
  'hook:error': true,
  'storage:error': true,
  'retention:run': true,
};

export const ENGINE_EVENT_NAMES = Object.keys(EVENT_NAMES) as EverTaskEventName[];

/** Execution-log rows read per storage call when a level filter must be applied here. */
const LOG_SCAN_PAGE = 1000;

/**
 * The monitor's data over what exists today: the engine (cancel, instances, configuration,
 * events) and the storage port's read methods.
 */
export class EngineMonitorSource implements MonitorSource {
  readonly #engine: EverTask;
  readonly #storage: TaskStorage;
  readonly #clock: Clock;
  readonly #sampleSize: number;

  constructor(engine: EverTask, storage: TaskStorage, clock: Clock, sampleSize: number) {
    this.#engine = engine;
    this.#storage = storage;
    this.#clock = clock;
    this.#sampleSize = sampleSize;
  }

  get capabilities() {
    return this.#storage.capabilities;
  }

  now(): number {
    return this.#clock.now();
  }

  getTask(id: string) {
    return this.#storage.get(id);
  }

  queryTasks(...args: Parameters<TaskStorage['query']>) {
    return this.#storage.query(...args);
  }

  countTasks(...args: Parameters<TaskStorage['count']>) {
    return this.#storage.count(...args);
  }

  statusHistory(id: string) {
    return this.#storage.getStatusAudit(id);
  }

  runHistory(id: string) {
    return this.#storage.getRunAudit(id);
  }

  countExecutionLogs(id: string) {
    return this.#storage.countExecutionLogs(id);
  }

  /**
   * Without a level, one page of the storage. With one, the port has no level filter yet, so the
   * lines are read in pages of 1000 and filtered here (a task keeps at most the engine's
   * `logs.maxPerTask` lines, 1000 by default). NEXT SESSION: a level filter in the storage port.
   */
  async executionLogs(id: string, skip: number, take: number, minLevel?: LogLevel): Promise<ExecutionLogSlice> {
    if (minLevel === undefined) {
      const [logs, total] = await Promise.all([this.#storage.getExecutionLogs(id, skip, take), this.#storage.countExecutionLogs(id)]);
      return { logs, total };
    }
    const minRank = LOG_LEVELS.indexOf(minLevel);
    const logs: ExecutionLogEntry[] = [];
    let total = 0;
    for (let offset = 0; ; offset += LOG_SCAN_PAGE) {
      const rows = await this.#storage.getExecutionLogs(id, offset, LOG_SCAN_PAGE);
      for (const row of rows) {
        if (LOG_LEVELS.indexOf(row.level) < minRank) continue;
        if (total >= skip && logs.length < take) logs.push(row);
        total++;
      }
      if (rows.length < LOG_SCAN_PAGE) break;
    }
    return { logs, total };
  }

  cancel(id: string) {
    return this.#engine.cancel(id);
  }

  instances() {
    return this.#engine.instances();
  }

  configuration() {
    return this.#engine.configuration();
  }

  localQueues() {
    return this.#engine.stats();
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    const offs = ENGINE_EVENT_NAMES.map((type) => this.#engine.on(type, (event) => listener({ type, event } as EngineEvent)));
    return () => {
      for (const off of offs) off();
    };
  }

  overview(...[range, throttled]: Parameters<MonitorSource['overview']>) {
    return deriveOverview(this, range, throttled, this.#sampleSize);
  }

  queueMetrics(throttled: ReadonlyMap<string, number>) {
    return deriveQueueMetrics(this, throttled, this.#sampleSize);
  }

  successRateTrend(days: 7 | 30 | 90) {
    return deriveSuccessRateTrend(this, days);
  }

  taskTypes(...[range]: Parameters<MonitorSource['taskTypes']>) {
    return deriveTaskTypes(this, range);
  }

  executionTimes(...[range]: Parameters<MonitorSource['executionTimes']>) {
    return deriveExecutionTimes(this, range, this.#sampleSize);
  }
}
