/**
 * The trace context stored with a task: the W3C Trace Context headers of the dispatch span
 * (`traceparent`, and `tracestate` when set) as JSON text, written by the default propagation or
 * by the application's own propagator, and read back in whichever process runs the task.
 */
import {
  ROOT_CONTEXT,
  createTraceState,
  isSpanContextValid,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type TextMapPropagator,
} from '@opentelemetry/api';

const VERSION = '00';
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The `traceparent` header of a span context (version 00). */
export function formatTraceparent(spanContext: SpanContext): string {
  return `${VERSION}-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The span context of a `traceparent` header (and `tracestate`), or undefined when it is not one. */
export function parseTraceparent(traceparent: unknown, tracestate: unknown): SpanContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match || match[1] === 'ff') return undefined;
  const spanContext: SpanContext = {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: Number.parseInt(match[4] as string, 16),
    isRemote: true,
  };
  if (typeof tracestate === 'string' && tracestate.length > 0) spanContext.traceState = createTraceState(tracestate);
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** A carrier as the propagators read and write it. */
type Carrier = Record<string, string>;

const carrierAccess = {
  get: (carrier: Carrier, key: string) => carrier[key],
  keys: (carrier: Carrier) => Object.keys(carrier),
  set: (carrier: Carrier, key: string, value: string) => {
    carrier[key] = value;
  },
};

/** Encodes and decodes the stored trace context, with the built-in W3C format or a given propagator. */
export class TraceContextCodec {
  readonly #propagator: TextMapPropagator | undefined;

  constructor(propagator: TextMapPropagator | undefined) {
    this.#propagator = propagator;
  }

  /**
   * The text stored with a task whose dispatch span is `span`, started in `active`; null when
   * there is nothing to carry (the API's no-op span, with no SDK, has no valid context).
   */
  encode(span: Span, active: Context): string | null {
    if (this.#propagator) {
      const carrier: Carrier = {};
      this.#propagator.inject(trace.setSpan(active, span), carrier, carrierAccess);
      return Object.keys(carrier).length === 0 ? null : JSON.stringify(carrier);
    }
    // the built-in format needs only the span's own context: no context object is made
    const spanContext = span.spanContext();
    if (!isSpanContextValid(spanContext)) return null;
    const traceparent = formatTraceparent(spanContext);
    const state = spanContext.traceState?.serialize();
    return JSON.stringify(state ? { traceparent, tracestate: state } : { traceparent });
  }

  /** The context a stored trace context stands for (the root context when it is null or unreadable). */
  decode(text: string | null): Context {
    if (text === null) return ROOT_CONTEXT;
    let carrier: unknown;
    try {
      carrier = JSON.parse(text);
    } catch {
      return ROOT_CONTEXT;
    }
    if (carrier === null || typeof carrier !== 'object' || Array.isArray(carrier)) return ROOT_CONTEXT;
    const fields = carrier as Carrier;
    if (this.#propagator) return this.#propagator.extract(ROOT_CONTEXT, fields, carrierAccess);
    const spanContext = parseTraceparent(fields.traceparent, fields.tracestate);
    return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
  }
}
