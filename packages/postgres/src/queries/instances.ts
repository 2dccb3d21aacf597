import { INSTANCE_RECORD_RETENTION_MS, type InstanceRecord } from 'evertask';
import type { QueryContext } from '../connection.js';
import { readers } from '../row-mapping.js';

/** The instance registry: one row per running engine, upserted by its heartbeat. */
export class InstanceQueries {
  readonly #context: QueryContext;
  readonly #sql: { heartbeatInstance: string; removeInstance: string; listInstances: string };

  constructor(context: QueryContext) {
    this.#context = context;
    const s = context.quotedSchema;
    this.#sql = {
      // the upsert and the purge of long-expired records in one statement (the purge never sees
      // the row the upsert writes: both run on the statement's snapshot, and it spares $1 anyway)
      heartbeatInstance: `WITH up AS (
  INSERT INTO ${s}.instances (id, hostname, pid, started_at, heartbeat_at, expires_at, queues, task_names)
  VALUES ($1::text, $2::text, $3::int4, $4::int8, $5::int8, $6::int8, $7::text[], $9::text[])
  ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, pid = EXCLUDED.pid, started_at = EXCLUDED.started_at,
    heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at, queues = EXCLUDED.queues,
    task_names = EXCLUDED.task_names
)
DELETE FROM ${s}.instances WHERE expires_at < $8::int8 AND id <> $1::text`,
      removeInstance: `DELETE FROM ${s}.instances WHERE id = $1::text`,
      listInstances: `SELECT id, hostname, pid, started_at, heartbeat_at, expires_at, queues, task_names FROM ${s}.instances ORDER BY started_at, id`,
    };
  }

  async heartbeatInstance(record: InstanceRecord): Promise<void> {
    const connection = this.#context.connection;
    const values = [record.id, record.hostname, record.pid, record.startedAt, record.heartbeatAt, record.expiresAt, record.queues, record.heartbeatAt - INSTANCE_RECORD_RETENTION_MS, record.taskNames];
    await connection.run('heartbeatInstance', connection.statement('heartbeat_instance', this.#sql.heartbeatInstance, values));
  }

  async removeInstance(id: string): Promise<void> {
    const connection = this.#context.connection;
    await connection.run('removeInstance', connection.statement('remove_instance', this.#sql.removeInstance, [id]));
  }

  async listInstances(): Promise<InstanceRecord[]> {
    const connection = this.#context.connection;
    const res = await connection.run('listInstances', connection.statement('list_instances', this.#sql.listInstances, []));
    return res.rows.map((row) => readers.instance(row));
  }
}
