/**
 * Migration 0001: the tasks, their history, the instance registry and the paused queues, written
 * once with Kysely's schema builder in each dialect's column types (`SqlDialect.types`).
 *
 * - Times are epoch-millisecond integers on every dialect: compared natively, never rounded,
 *   with no session time zone involved.
 * - Payloads, schedules and errors are plain text (no JSON column type, which would reformat them).
 * - Task keys are unique through `task_key_hash` (SHA-256 of the key, computed by the storage),
 *   so keys of any length are indexed alike on the three databases.
 * - No foreign keys: SQLite enforces them only when the application enables them, so the storage
 *   deletes a task's history itself, on every dialect.
 * - Every statement is `IF NOT EXISTS`: MySQL and SQLite commit DDL as it runs, so a migration cut
 *   short is completed by the next run.
 */
import type { Migration } from 'kysely/migration';
import type { AnyKysely } from '../database.js';
import { tableNames } from '../database.js';
import type { SqlDialect } from '../dialects/dialect.js';

export function initialMigration(prefix: string, dialect: SqlDialect): Migration {
  const t = tableNames(prefix);
  const { types } = dialect;
  return {
    async up(db: AnyKysely): Promise<void> {
      const create = (name: string) => db.schema.createTable(name).ifNotExists();
      const index = (name: string) => db.schema.createIndex(`${prefix}${name}`).ifNotExists();
      await dialect
        .tableOptions(
          create(t.tasks)
            .addColumn('id', types.id, (c) => c.primaryKey())
            .addColumn('name', types.text, (c) => c.notNull())
            .addColumn('payload', types.text, (c) => c.notNull())
            .addColumn('status', types.word, (c) => c.notNull())
            .addColumn('queue', types.text, (c) => c.notNull())
            .addColumn('task_key', types.text)
            .addColumn('task_key_hash', types.hash)
            .addColumn('audit_level', types.word, (c) => c.notNull())
            .addColumn('created_at', types.time, (c) => c.notNull())
            .addColumn('updated_at', types.time, (c) => c.notNull())
            .addColumn('scheduled_at', types.time)
            .addColumn('due_at', types.time)
            .addColumn('attempts', types.count, (c) => c.notNull())
            .addColumn('last_execution_at', types.time)
            .addColumn('execution_time_ms', types.double)
            .addColumn('error', types.text)
            .addColumn('lease_owner', types.text)
            .addColumn('lease_expires_at', types.time)
            .addColumn('recovery_failures', types.count, (c) => c.notNull())
            .addColumn('recurring', types.text)
            .addColumn('recurring_info', types.text)
            .addColumn('run_count', types.count, (c) => c.notNull())
            .addColumn('max_runs', types.count)
            .addColumn('run_until', types.time)
            .addColumn('last_outcome', types.word),
        )
        .execute();
      // one task per key (NULL keys never collide)
      await index('tasks_task_key_uq').on(t.tasks).column('task_key_hash').unique().execute();
      // the due claim and the expired-lease claim walk these in order; retention by last write
      await index('tasks_due_idx').on(t.tasks).columns(['status', 'due_at']).execute();
      await index('tasks_lease_idx').on(t.tasks).columns(['status', 'lease_expires_at']).execute();
      await index('tasks_retention_idx').on(t.tasks).columns(['status', 'updated_at']).execute();
      // the pending keyset scan and the dashboard's default sort
      await index('tasks_created_idx').on(t.tasks).columns(['created_at', 'id']).execute();

      await dialect
        .tableOptions(
          dialect
            .addSerialId(create(t.statusAudit))
            .addColumn('task_id', types.id, (c) => c.notNull())
            .addColumn('status', types.word, (c) => c.notNull())
            .addColumn('at', types.time, (c) => c.notNull())
            .addColumn('error', types.text)
            .addColumn('actor', types.text),
        )
        .execute();
      await index('status_audit_task_idx').on(t.statusAudit).columns(['task_id', 'at']).execute();
      await index('status_audit_at_idx').on(t.statusAudit).column('at').execute();

      await dialect
        .tableOptions(
          dialect
            .addSerialId(create(t.runAudit))
            .addColumn('task_id', types.id, (c) => c.notNull())
            .addColumn('at', types.time, (c) => c.notNull())
            .addColumn('status', types.word, (c) => c.notNull())
            .addColumn('execution_time_ms', types.double, (c) => c.notNull())
            .addColumn('error', types.text),
        )
        .execute();
      await index('run_audit_task_idx').on(t.runAudit).columns(['task_id', 'at']).execute();
      await index('run_audit_at_idx').on(t.runAudit).column('at').execute();

      await dialect
        .tableOptions(
          create(t.executionLogs)
            .addColumn('id', types.id, (c) => c.primaryKey())
            .addColumn('task_id', types.id, (c) => c.notNull())
            .addColumn('at', types.time, (c) => c.notNull())
            .addColumn('level', types.word, (c) => c.notNull())
            .addColumn('message', types.text, (c) => c.notNull())
            .addColumn('exception', types.text)
            .addColumn('sequence', types.count, (c) => c.notNull()),
        )
        .execute();
      await index('execution_logs_task_idx').on(t.executionLogs).columns(['task_id', 'at', 'sequence', 'id']).execute();
      await index('execution_logs_at_idx').on(t.executionLogs).column('at').execute();

      await dialect
        .tableOptions(
          create(t.instances)
            .addColumn('id', types.keyText, (c) => c.primaryKey())
            .addColumn('hostname', types.text, (c) => c.notNull())
            .addColumn('pid', types.count, (c) => c.notNull())
            .addColumn('started_at', types.time, (c) => c.notNull())
            .addColumn('heartbeat_at', types.time, (c) => c.notNull())
            .addColumn('expires_at', types.time, (c) => c.notNull())
            .addColumn('queues', types.text, (c) => c.notNull())
            .addColumn('task_names', types.text, (c) => c.notNull()),
        )
        .execute();

      await dialect
        .tableOptions(
          create(t.pausedQueues)
            .addColumn('queue', types.keyText, (c) => c.primaryKey())
            .addColumn('paused_at', types.time, (c) => c.notNull())
            .addColumn('paused_by', types.text),
        )
        .execute();
    },
  };
}
