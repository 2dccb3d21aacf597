/**
 * Migration 0003: the trace context of the dispatch (W3C traceparent/tracestate as JSON text,
 * written by the engine's instrumentation, e.g. @evertask/opentelemetry; null without), as the
 * other adapters store it.
 */
import type { Migration } from 'kysely/migration';
import type { AnyKysely } from '../database.js';
import { tableNames } from '../database.js';
import type { SqlDialect } from '../dialects/dialect.js';

export function traceContextMigration(prefix: string, dialect: SqlDialect): Migration {
  const t = tableNames(prefix);
  return {
    async up(db: AnyKysely): Promise<void> {
      await db.schema.alterTable(t.tasks).addColumn('trace_context', dialect.types.text).execute();
    },
  };
}
