-- EverTask SQLite schema, version 6: the trace context of the dispatch (W3C traceparent/tracestate
-- as JSON text, written by the engine's instrumentation, e.g. @evertask/opentelemetry; null without).

ALTER TABLE {prefix}tasks ADD COLUMN trace_context TEXT;
