import { context, metrics, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { AttemptEnd, AttemptScope, AttemptStart, DispatchScope, DispatchStart, InstrumentedEngine, TaskInstrumentation } from 'evertask';
import { resolveOpenTelemetryOptions, type OpenTelemetryOptions } from './options.js';
import { TraceContextCodec } from './trace-context.js';
import { TaskSpans } from './task-spans.js';
import { TaskMetrics } from './task-metrics.js';

/** The instrumentation scope name of the tracer and the meter. */
export const INSTRUMENTATION_NAME = '@evertask/opentelemetry';
/** The version reported with the scope. */
export const INSTRUMENTATION_VERSION = '0.1.0';

const NO_TRACE_DISPATCH: DispatchScope = Object.freeze({ traceContext: null, end() {} });

/** One dispatch under way. */
class DispatchSpan implements DispatchScope {
  readonly traceContext: string | null;
  readonly #spans: TaskSpans;
  readonly #span: Span;

  constructor(spans: TaskSpans, span: Span, traceContext: string | null) {
    this.#spans = spans;
    this.#span = span;
    this.traceContext = traceContext;
  }

  end(error: Error | undefined): void {
    this.#spans.endDispatch(this.#span, error);
  }
}

/** One attempt under way: its span (when tracing) and its metric attributes (when measuring). */
class AttemptTelemetry implements AttemptScope {
  readonly #spans: TaskSpans | undefined;
  readonly #span: ReturnType<TaskSpans['startAttempt']> | undefined;
  readonly #metrics: TaskMetrics | undefined;
  readonly #attributes: Attributes | undefined;

  constructor(start: AttemptStart, spans: TaskSpans | undefined, taskMetrics: TaskMetrics | undefined) {
    this.#spans = spans;
    this.#span = spans?.startAttempt(start);
    this.#metrics = taskMetrics;
    this.#attributes = taskMetrics?.started(start);
  }

  run<T>(fn: () => T): T {
    return this.#span === undefined ? fn() : context.with(this.#span.context, fn);
  }

  end(result: AttemptEnd): void {
    if (this.#span !== undefined) this.#spans?.endAttempt(this.#span.span, result);
    if (this.#attributes !== undefined) this.#metrics?.ended(this.#attributes, result);
  }
}

/**
 * OpenTelemetry tracing and metrics for an engine: `new EverTask({ …, instrumentation: openTelemetry() })`.
 * Spans: `dispatch <task>` (PRODUCER) and `run <task>` (CONSUMER, one per attempt, a child of the
 * dispatch across processes). Metrics: `evertask.queue.depth`, `evertask.task.start_latency`,
 * `evertask.task.duration`, `evertask.task.outcomes`. See docs/observability.md.
 *
 * One instance per engine (it observes the queue depth of the engine it is attached to).
 */
export function openTelemetry(options?: OpenTelemetryOptions): TaskInstrumentation {
  const resolved = resolveOpenTelemetryOptions(options);
  const spans = resolved.traces
    ? new TaskSpans(
        (resolved.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION),
        new TraceContextCodec(resolved.propagator),
        resolved.attemptParent,
      )
    : undefined;
  const taskMetrics = resolved.metrics
    ? new TaskMetrics((resolved.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION), resolved.queueDepth)
    : undefined;
  let attached = false;
  return {
    attach(engine: InstrumentedEngine): void {
      if (attached) {
        throw new Error('this openTelemetry() instrumentation is already attached to an engine; create one per engine');
      }
      attached = true;
      taskMetrics?.attach(engine);
    },
    detach(): void {
      taskMetrics?.detach();
      attached = false;
    },
    startDispatch(start: DispatchStart): DispatchScope {
      if (spans === undefined) return NO_TRACE_DISPATCH;
      const { span, traceContext } = spans.startDispatch(start);
      return new DispatchSpan(spans, span, traceContext);
    },
    startAttempt(start: AttemptStart): AttemptScope {
      return new AttemptTelemetry(start, spans, taskMetrics);
    },
  };
}
