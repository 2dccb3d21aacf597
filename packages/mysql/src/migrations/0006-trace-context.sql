-- name: trace context
-- The trace context of the dispatch (W3C traceparent/tracestate as JSON text, written by the
-- engine's instrumentation, e.g. @evertask/opentelemetry; NULL without). Safe to run twice: the
-- column is added only when information_schema shows it missing.
SET @evertask_ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE {{prefix}}tasks ADD COLUMN trace_context LONGTEXT NULL', 'DO 0') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{{prefix}}tasks' AND COLUMN_NAME = 'trace_context');
PREPARE evertask_migration FROM @evertask_ddl;
EXECUTE evertask_migration;
DEALLOCATE PREPARE evertask_migration;
