/**
 * The spans: a PRODUCER span per dispatch (per batch for `dispatchMany`), whose context is stored
 * with the task, and a CONSUMER span per attempt in whichever process runs it, the child of that
 * context (or linked to it) and current while the handler runs, so that the handler's own spans
 * nest under it.
 */
import { SpanKind, SpanStatusCode, context, isSpanContextValid, trace, type Attributes, type Context, type Link, type Span, type Tracer } from '@opentelemetry/api';
import type { AttemptEnd, AttemptStart, DispatchStart } from 'evertask';
import { ATTR, MESSAGING_SYSTEM } from './attributes.js';
import type { TraceContextCodec } from './trace-context.js';

/** Outcomes that mark the attempt span as an error. */
const ERROR_OUTCOMES = new Set(['failed', 'retry', 'timeout']);

/** The attributes every span has: the messaging system and operation, the task and its queue. */
function baseAttributes(type: 'send' | 'process', operation: string, start: { taskName: string; queue: string }): Attributes {
  return {
    [ATTR.messagingSystem]: MESSAGING_SYSTEM,
    [ATTR.operationType]: type,
    [ATTR.operationName]: operation,
    [ATTR.destination]: start.queue,
    [ATTR.taskName]: start.taskName,
    [ATTR.queue]: start.queue,
  };
}

export class TaskSpans {
  readonly #tracer: Tracer;
  readonly #codec: TraceContextCodec;
  readonly #asChild: boolean;

  constructor(tracer: Tracer, codec: TraceContextCodec, attemptParent: 'parent' | 'link') {
    this.#tracer = tracer;
    this.#codec = codec;
    this.#asChild = attemptParent === 'parent';
  }

  /** Starts the dispatch span in the caller's context; returns it with the context to store. */
  startDispatch(start: DispatchStart): { span: Span; traceContext: string | null } {
    const attributes = baseAttributes('send', 'dispatch', start);
    if (start.count === 1) {
      attributes[ATTR.messageId] = start.taskId;
      attributes[ATTR.taskId] = start.taskId;
    } else attributes[ATTR.batchCount] = start.count;
    if (start.taskKey !== null) attributes[ATTR.taskKey] = start.taskKey;
    if (start.recurring) attributes[ATTR.recurring] = true;
    const span = this.#tracer.startSpan(`dispatch ${start.taskName}`, { kind: SpanKind.PRODUCER, attributes });
    return { span, traceContext: this.#codec.encode(span, context.active()) };
  }

  endDispatch(span: Span, error: Error | undefined): void {
    if (error !== undefined) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.setAttribute(ATTR.errorType, error.name);
    }
    span.end();
  }

  /** Starts the attempt span; returns it with the context the handler runs in. */
  startAttempt(start: AttemptStart): { span: Span; context: Context } {
    const stored = this.#codec.decode(start.traceContext);
    const dispatch = trace.getSpanContext(stored);
    const links: Link[] = dispatch ? [{ context: dispatch }] : [];
    const parent = this.#asChild && !start.recurring ? stored : trace.deleteSpan(stored);
    const attributes = baseAttributes('process', 'run', start);
    attributes[ATTR.messageId] = start.taskId;
    attributes[ATTR.taskId] = start.taskId;
    attributes[ATTR.attempt] = start.attempt;
    attributes[ATTR.instance] = start.instanceId;
    if (start.recurring) attributes[ATTR.recurring] = true;
    const span = this.#tracer.startSpan(`run ${start.taskName}`, { kind: SpanKind.CONSUMER, attributes, links }, parent);
    // a span with no valid context (the no-op tracer's, with no SDK) gives the handler nothing to nest under
    return { span, context: isSpanContextValid(span.spanContext()) ? trace.setSpan(parent, span) : parent };
  }

  endAttempt(span: Span, end: AttemptEnd): void {
    span.setAttribute(ATTR.outcome, end.outcome);
    span.setAttribute(ATTR.willRetry, end.willRetry);
    if (end.error !== undefined) {
      span.recordException(end.error);
      if (ERROR_OUTCOMES.has(end.outcome)) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: end.error.message });
        span.setAttribute(ATTR.errorType, end.error.name);
      }
    }
    span.end();
  }
}
