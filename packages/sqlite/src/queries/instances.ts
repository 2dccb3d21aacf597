/** The instance registry: one row per running engine, upserted by its heartbeat. */
import { INSTANCE_RECORD_RETENTION_MS, type InstanceRecord } from 'evertask';
import { readers } from '../row-mapping.js';
import type { Prepare, Statement, QuerySession } from './query-session.js';
import type { TableNames } from './tables.js';

/** The connection as this module sees it. */
type Session = QuerySession<{ instances: InstanceStatements }>;

export interface InstanceStatements {
  upsert: Statement;
  purge: Statement;
  remove: Statement;
  list: Statement;
}

export function prepareInstanceStatements(prepare: Prepare, t: TableNames): InstanceStatements {
  return {
    upsert: prepare(
      `INSERT INTO ${t.instances} (id, hostname, pid, started_at, heartbeat_at, expires_at, queues, task_names) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, pid = excluded.pid, started_at = excluded.started_at,
           heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at, queues = excluded.queues,
           task_names = excluded.task_names`,
    ),
    purge: prepare(`DELETE FROM ${t.instances} WHERE expires_at < ? AND id <> ?`),
    remove: prepare(`DELETE FROM ${t.instances} WHERE id = ?`),
    list: prepare(`SELECT * FROM ${t.instances} ORDER BY started_at, id`),
  };
}

/** Upserts a (validated) instance record and purges records expired long enough ago. */
export function heartbeat(session: Session, record: InstanceRecord): void {
  const statements = session.statements.instances;
  const queues = JSON.stringify(record.queues);
  const taskNames = JSON.stringify(record.taskNames);
  session.db
    .transaction(() => {
      statements.upsert.run(record.id, record.hostname, record.pid, record.startedAt, record.heartbeatAt, record.expiresAt, queues, taskNames);
      statements.purge.run(record.heartbeatAt - INSTANCE_RECORD_RETENTION_MS, record.id);
    })
    .immediate();
}

export function removeInstance(session: Session, id: string): void {
  session.statements.instances.remove.run(id);
}

export function listInstances(session: Session): InstanceRecord[] {
  return session.statements.instances.list.all().map((row) => readers.instance(row));
}
