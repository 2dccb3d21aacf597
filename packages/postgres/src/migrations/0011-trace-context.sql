-- name: trace context
-- The trace context of the dispatch (W3C traceparent/tracestate as JSON text, written by the
-- engine's instrumentation, e.g. @evertask/opentelemetry; NULL without).
ALTER TABLE {{schema}}.tasks ADD COLUMN IF NOT EXISTS trace_context text;
