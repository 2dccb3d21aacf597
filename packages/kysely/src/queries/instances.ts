import { INSTANCE_RECORD_RETENTION_MS, type InstanceRecord } from 'evertask';
import { readers } from '../row-mapping.js';
import type { QueryContext } from './context.js';

const UPDATED = ['hostname', 'pid', 'started_at', 'heartbeat_at', 'expires_at', 'queues', 'task_names'] as const;

/** The instance registry: one row per running engine, upserted by its heartbeat (the dialect's upsert). */
export class InstanceQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  /** The upsert and the purge of long-expired records. */
  async heartbeatInstance(r: InstanceRecord): Promise<void> {
    const { connection, tables } = this.#context;
    await connection.run(
      'heartbeatInstance',
      async (db) => {
        const row = {
          id: r.id,
          hostname: r.hostname,
          pid: r.pid,
          started_at: r.startedAt,
          heartbeat_at: r.heartbeatAt,
          expires_at: r.expiresAt,
          queues: JSON.stringify(r.queues),
          task_names: JSON.stringify(r.taskNames),
        };
        await connection.dialect.upsert(db.insertInto(tables.instances).values(row), ['id'], UPDATED).execute();
        await db.deleteFrom(tables.instances).where('expires_at', '<', r.heartbeatAt - INSTANCE_RECORD_RETENTION_MS).where('id', '<>', r.id).execute();
      },
      { idempotent: true },
    );
  }

  async removeInstance(id: string): Promise<void> {
    await this.#context.connection.run('removeInstance', (db) => db.deleteFrom(this.#context.tables.instances).where('id', '=', id).execute(), { idempotent: true });
  }

  async listInstances(): Promise<InstanceRecord[]> {
    const rows = await this.#context.connection.run(
      'listInstances',
      (db) => db.selectFrom(this.#context.tables.instances).select(['id', ...UPDATED]).orderBy('started_at').orderBy('id').execute(),
      { idempotent: true },
    );
    return rows.map((row) => readers.instance(row));
  }
}
