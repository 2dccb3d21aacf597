/**
 * The metrics: the start latency and duration histograms and the outcome counter, recorded as
 * attempts start and end, and the queue depth gauge, observed from the storage at collection.
 */
import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import type { AttemptEnd, AttemptStart, InstrumentedEngine, TaskStatus } from 'evertask';
import { ATTR, METRIC, SECONDS_BUCKETS } from './attributes.js';

/** The statuses the depth gauge counts: tasks not finished and not running. */
const DEPTH_STATUSES: readonly TaskStatus[] = ['waiting', 'queued', 'service-stopped'];

export class TaskMetrics {
  readonly #latency: Histogram;
  readonly #duration: Histogram;
  readonly #outcomes: Counter;
  readonly #depth: ObservableGauge | undefined;
  #engine: InstrumentedEngine | undefined;
  readonly #observe = (result: ObservableResult): Promise<void> => this.#observeDepth(result);

  constructor(meter: Meter, queueDepth: boolean) {
    this.#latency = meter.createHistogram(METRIC.startLatency, {
      description: 'Time from when a task became due (dispatched, or its delay or retry delay over) to the start of its attempt.',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.#duration = meter.createHistogram(METRIC.duration, {
      description: 'Duration of one execution attempt, from its start to its outcome.',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.#outcomes = meter.createCounter(METRIC.outcomes, {
      description: 'Execution attempts by outcome (completed, failed, retry, timeout, cancelled, stopped, lost).',
      unit: '{attempt}',
    });
    this.#depth = queueDepth
      ? meter.createObservableGauge(METRIC.queueDepth, {
          description: 'Tasks of a queue not yet running, by status (waiting includes delayed tasks and tasks awaiting a retry).',
          unit: '{task}',
        })
      : undefined;
  }

  attach(engine: InstrumentedEngine): void {
    this.#engine = engine;
    this.#depth?.addCallback(this.#observe);
  }

  detach(): void {
    this.#depth?.removeCallback(this.#observe);
    this.#engine = undefined;
  }

  started(start: AttemptStart): Attributes {
    const attributes: Attributes = { [ATTR.taskName]: start.taskName, [ATTR.queue]: start.queue };
    this.#latency.record(Math.max(0, start.startedAt - start.readyAt) / 1000, attributes);
    return attributes;
  }

  ended(attributes: Attributes, end: AttemptEnd): void {
    const withOutcome: Attributes = { ...attributes, [ATTR.outcome]: end.outcome };
    this.#duration.record(Math.max(0, end.durationMs) / 1000, withOutcome);
    this.#outcomes.add(1, withOutcome);
  }

  async #observeDepth(result: ObservableResult): Promise<void> {
    const engine = this.#engine;
    if (engine === undefined) return;
    const counts = await engine.storage.count({ statuses: DEPTH_STATUSES });
    const seen = new Set<string>();
    for (const { queue, status, count } of counts) {
      seen.add(`${queue}\u0000${status}`);
      result.observe(count, { [ATTR.queue]: queue, [ATTR.status]: status });
    }
    // a configured queue with nothing pending reads 0, not "no data"
    for (const queue of engine.queueNames) {
      for (const status of DEPTH_STATUSES) if (!seen.has(`${queue}\u0000${status}`)) result.observe(0, { [ATTR.queue]: queue, [ATTR.status]: status });
    }
  }
}
