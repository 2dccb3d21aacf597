import {
  EVENT_NAMES,
  type EverTask,
  type EverTaskEventName,
  type LogLevel,
  type TaskStorage,
  type Clock,
} from 'evertask';
import type { EngineEvent, ExecutionLogSlice, MonitorCapabilities, MonitorSource } from './monitor-source.js';
import { mapExecutionTimes, mapOverview, mapQueueMetrics, mapSuccessRateTrend, mapTaskTypes, type StatisticsReader } from './statistics-mapping.js';

/** Every engine event the live stream relays (all of them). */
export const ENGINE_EVENT_NAMES: readonly EverTaskEventName[] = EVENT_NAMES;

/**
 * The monitor's data: the engine (cancel, instances, configuration, events), the storage port's
 * reads and its statistics (computed by the storage, mapped by `statistics-mapping.ts`).
 */
export class EngineMonitorSource implements MonitorSource {
  readonly #engine: EverTask;
  readonly #storage: TaskStorage;
  readonly #clock: Clock;
  readonly #reader: StatisticsReader;

  constructor(engine: EverTask, storage: TaskStorage, clock: Clock) {
    this.#engine = engine;
    this.#storage = storage;
    this.#clock = clock;
    this.#reader = {
      statistics: storage,
      now: () => this.now(),
      configuration: () => this.configuration(),
      localQueues: () => this.localQueues(),
      countTasks: (filter) => this.countTasks(filter),
    };
  }

  get capabilities(): MonitorCapabilities {
    return { ...this.#storage.capabilities, notifications: this.#storage.notifications !== undefined };
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

  /** One page of a task's logs (of `minLevel` and above, when given) and their count: two storage queries. */
  async executionLogs(id: string, skip: number, take: number, minLevel?: LogLevel): Promise<ExecutionLogSlice> {
    const [logs, total] = await Promise.all([
      this.#storage.getExecutionLogs(id, skip, take, minLevel),
      this.#storage.countExecutionLogs(id, minLevel),
    ]);
    return { logs, total };
  }

  cancel(id: string, actor: string) {
    return this.#engine.cancel(id, { actor });
  }

  runNow(id: string, actor: string) {
    return this.#engine.runNow(id, { actor });
  }

  retry(id: string, actor: string) {
    return this.#engine.retry(id, { actor });
  }

  deleteTask(id: string, actor: string) {
    return this.#engine.deleteTask(id, { actor });
  }

  pauseQueue(name: string, actor: string) {
    return this.#engine.pauseQueue(name, { actor });
  }

  resumeQueue(name: string, actor: string) {
    return this.#engine.resumeQueue(name, { actor });
  }

  pausedQueues() {
    return this.#engine.pausedQueues();
  }

  instances() {
    return this.#engine.instances();
  }

  rateLimitStatus() {
    return this.#engine.rateLimitStatus();
  }

  configuration() {
    return this.#engine.configuration();
  }

  localQueues() {
    return this.#engine.stats();
  }

  subscribe(listener: (event: EngineEvent) => void, options: { remote?: boolean } = {}): () => void {
    const types = options.remote === true ? ENGINE_EVENT_NAMES : ENGINE_EVENT_NAMES.filter((type) => type !== 'remote:task');
    const offs = types.map((type) => this.#engine.on(type, (event) => listener({ type, event } as EngineEvent)));
    return () => {
      for (const off of offs) off();
    };
  }

  overview(...[range, throttled]: Parameters<MonitorSource['overview']>) {
    return mapOverview(this.#reader, range, throttled);
  }

  queueMetrics(throttled: ReadonlyMap<string, number>) {
    return mapQueueMetrics(this.#reader, throttled);
  }

  successRateTrend(days: 7 | 30 | 90) {
    return mapSuccessRateTrend(this.#reader, days);
  }

  taskTypes(...[range]: Parameters<MonitorSource['taskTypes']>) {
    return mapTaskTypes(this.#reader, range);
  }

  executionTimes(...[range]: Parameters<MonitorSource['executionTimes']>) {
    return mapExecutionTimes(this.#reader, range);
  }
}
