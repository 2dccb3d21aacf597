import {
  EVENT_NAMES,
  countExecutionLogs,
  type EverTask,
  type EverTaskEventName,
  type LogLevel,
  type TaskStorage,
  type Clock,
} from 'evertask';
import type { EngineEvent, ExecutionLogSlice, MonitorCapabilities, MonitorSource } from './monitor-source.js';
import { deriveExecutionTimes, deriveOverview, deriveQueueMetrics, deriveSuccessRateTrend, deriveTaskTypes } from './derived-statistics.js';

/** Every engine event the live stream relays (all of them). */
export const ENGINE_EVENT_NAMES: readonly EverTaskEventName[] = EVENT_NAMES;

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
    return countExecutionLogs(this.#storage, id);
  }

  /** One page of a task's logs (of `minLevel` and above, when given), filtered by the storage. */
  async executionLogs(id: string, skip: number, take: number, minLevel?: LogLevel): Promise<ExecutionLogSlice> {
    const [logs, total] = await Promise.all([
      this.#storage.getExecutionLogs(id, skip, take, minLevel),
      countExecutionLogs(this.#storage, id, minLevel),
    ]);
    return { logs, total };
  }

  cancel(id: string) {
    return this.#engine.cancel(id);
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
