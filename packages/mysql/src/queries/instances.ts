import { INSTANCE_RECORD_RETENTION_MS, type InstanceRecord } from 'evertask';
import { rowsOf, type QueryContext } from '../connection.js';
import { readers } from '../row-mapping.js';

/** The instance registry: one row per running engine, upserted by its heartbeat. */
export class InstanceQueries {
  readonly #context: QueryContext;
  readonly #sql: { upsert: string; purge: string; remove: string; list: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const i = context.tables.instances;
    this.#sql = {
      upsert: `INSERT INTO ${i} (id, hostname, pid, started_at, heartbeat_at, expires_at, queues, task_names) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE hostname = VALUES(hostname), pid = VALUES(pid), started_at = VALUES(started_at),
  heartbeat_at = VALUES(heartbeat_at), expires_at = VALUES(expires_at), queues = VALUES(queues), task_names = VALUES(task_names)`,
      purge: `DELETE FROM ${i} WHERE expires_at < ? AND id <> ?`,
      remove: `DELETE FROM ${i} WHERE id = ?`,
      list: `SELECT id, hostname, pid, started_at, heartbeat_at, expires_at, queues, COALESCE(task_names, '[]') AS task_names FROM ${i} ORDER BY started_at, id`,
    };
  }

  /** The upsert and the purge of long-expired records, in one transaction. */
  async heartbeatInstance(record: InstanceRecord): Promise<void> {
    await this.#context.connection.script(
      'heartbeatInstance',
      [
        { sql: this.#sql.upsert, values: [record.id, record.hostname, record.pid, record.startedAt, record.heartbeatAt, record.expiresAt, JSON.stringify(record.queues), JSON.stringify(record.taskNames)] },
        { sql: this.#sql.purge, values: [record.heartbeatAt - INSTANCE_RECORD_RETENTION_MS, record.id] },
      ],
      { idempotent: true },
    );
  }

  async removeInstance(id: string): Promise<void> {
    await this.#context.connection.run('removeInstance', this.#sql.remove, [id], { idempotent: true });
  }

  async listInstances(): Promise<InstanceRecord[]> {
    return rowsOf(await this.#context.connection.run('listInstances', this.#sql.list, [], { idempotent: true })).map((row) => readers.instance(row));
  }
}
