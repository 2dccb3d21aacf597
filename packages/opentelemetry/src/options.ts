import type { MeterProvider, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import { InvalidArgumentError } from 'evertask';

/** Options of `openTelemetry()`. */
export interface OpenTelemetryOptions {
  /** Where the spans go. @defaultValue the global tracer provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** Where the metrics go. @defaultValue the global meter provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
  /**
   * Writes and reads the trace context stored with each task, e.g. the global propagator
   * (`propagation`) to carry baggage too. @defaultValue the W3C `traceparent`/`tracestate` headers
   */
  propagator?: TextMapPropagator;
  /** Create dispatch and attempt spans. @defaultValue true */
  traces?: boolean;
  /** Record the latency, duration and outcome metrics and observe the queue depth. @defaultValue true */
  metrics?: boolean;
  /**
   * Observe `evertask.queue.depth` (one storage count per collection). Every engine sharing a
   * storage sees the same depth: turn it off on all but one, or aggregate with max. @defaultValue true
   */
  queueDepth?: boolean;
  /**
   * How an attempt span relates to its dispatch span: `'parent'` makes it a child (one trace from
   * the dispatching request to every attempt), `'link'` starts a new trace linked to the dispatch.
   * A recurring task's runs are always linked, never children (a series would grow one endless
   * trace). Either way the attempt span carries a link to the dispatch. @defaultValue 'parent'
   */
  attemptParent?: 'parent' | 'link';
}

export interface ResolvedOpenTelemetryOptions {
  tracerProvider: TracerProvider | undefined;
  meterProvider: MeterProvider | undefined;
  propagator: TextMapPropagator | undefined;
  traces: boolean;
  metrics: boolean;
  queueDepth: boolean;
  attemptParent: 'parent' | 'link';
}

const KEYS = new Set(['tracerProvider', 'meterProvider', 'propagator', 'traces', 'metrics', 'queueDepth', 'attemptParent']);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' || typeof value === 'function' ? typeof value : `${typeof value} ${String(value)}`;
}

function provider<T>(options: Record<string, unknown>, key: string, method: string): T | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || typeof (value as Record<string, unknown>)[method] !== 'function') {
    throw new InvalidArgumentError(`openTelemetry option "${key}" must be an object with a ${method}() method (an OpenTelemetry ${key.replace('Provider', ' provider')}); received ${describe(value)}.`);
  }
  return value as T;
}

function flag(options: Record<string, unknown>, key: string): boolean {
  const value = options[key];
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`openTelemetry option "${key}" must be true or false; received ${describe(value)}.`);
  return value;
}

/** Checks the options and fills in the defaults. */
export function resolveOpenTelemetryOptions(options: OpenTelemetryOptions | undefined): ResolvedOpenTelemetryOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`openTelemetry() takes an options object; received ${describe(options)}.`);
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KEYS.has(key)) throw new InvalidArgumentError(`openTelemetry option "${key}" is unknown; the options are ${[...KEYS].join(', ')}.`);
  }
  const propagator = given.propagator;
  if (propagator !== undefined && (propagator === null || typeof propagator !== 'object' || typeof (propagator as TextMapPropagator).inject !== 'function' || typeof (propagator as TextMapPropagator).extract !== 'function')) {
    throw new InvalidArgumentError(`openTelemetry option "propagator" must be a TextMapPropagator (inject and extract methods); received ${describe(propagator)}.`);
  }
  const attemptParent = given.attemptParent ?? 'parent';
  if (attemptParent !== 'parent' && attemptParent !== 'link') {
    throw new InvalidArgumentError(`openTelemetry option "attemptParent" must be 'parent' or 'link'; received ${describe(attemptParent)}.`);
  }
  return {
    tracerProvider: provider<TracerProvider>(given, 'tracerProvider', 'getTracer'),
    meterProvider: provider<MeterProvider>(given, 'meterProvider', 'getMeter'),
    propagator: propagator as TextMapPropagator | undefined,
    traces: flag(given, 'traces'),
    metrics: flag(given, 'metrics'),
    queueDepth: flag(given, 'queueDepth'),
    attemptParent,
  };
}
