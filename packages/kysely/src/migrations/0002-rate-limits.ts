/**
 * Migration 0002: the shared rate-limit budgets — one row per (task name, key) with its
 * theoretical arrival time (TAT, fractional ms; NULL for a row created by an acquisition that has
 * not stepped it yet) and whether its last request was `startEmpty`, and the slots reserved for
 * parked tasks, by task id.
 */
import type { Migration } from 'kysely/migration';
import type { AnyKysely } from '../database.js';
import { tableNames } from '../database.js';
import type { SqlDialect } from '../dialects/dialect.js';

export function rateLimitsMigration(prefix: string, dialect: SqlDialect): Migration {
  const t = tableNames(prefix);
  const { types } = dialect;
  return {
    async up(db: AnyKysely): Promise<void> {
      await dialect
        .tableOptions(
          db.schema
            .createTable(t.rateLimits)
            .ifNotExists()
            .addColumn('policy_key', types.keyText, (c) => c.notNull())
            .addColumn('budget_key', types.keyText, (c) => c.notNull())
            .addColumn('tat', types.double)
            .addColumn('tolerance_ms', types.double, (c) => c.notNull())
            // the startEmpty of the budget's last request (1/0): such a budget is never idle
            .addColumn('start_empty', types.count, (c) => c.notNull().defaultTo(1))
            .addPrimaryKeyConstraint(`${prefix}rate_limits_pk`, ['policy_key', 'budget_key']),
        )
        .execute();
      await dialect
        .tableOptions(
          db.schema
            .createTable(t.rateLimitReservations)
            .ifNotExists()
            .addColumn('reservation_id', types.keyText, (c) => c.primaryKey())
            .addColumn('policy_key', types.keyText, (c) => c.notNull())
            .addColumn('budget_key', types.keyText, (c) => c.notNull())
            .addColumn('slot_at', types.time, (c) => c.notNull())
            .addColumn('interval_ms', types.double, (c) => c.notNull()),
        )
        .execute();
      // the idle sweep: budgets not startEmpty by TAT
      await db.schema.createIndex(`${prefix}rate_limits_idle_idx`).ifNotExists().on(t.rateLimits).columns(['start_empty', 'tat']).execute();
      await db.schema.createIndex(`${prefix}rate_limit_reservations_key_idx`).ifNotExists().on(t.rateLimitReservations).columns(['policy_key', 'budget_key']).execute();
    },
  };
}
