import { INSTANCE_RECORD_RETENTION_MS, checkInstanceId, checkInstanceRecord, compareInstances, type InstanceRecord } from 'evertask';
import { StorageError } from 'evertask';
import type { QueryContext } from '../connection.js';
import { readers } from '../row-mapping.js';

/** The instance registry: a hash of id → record (JSON, the columns of the SQL adapters), with a sorted set of expiries for the purge. */
export class InstanceQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  /** The upsert and the purge of long-expired records, in one script. */
  async heartbeatInstance(instance: InstanceRecord): Promise<void> {
    const r = checkInstanceRecord(instance, 'heartbeatInstance');
    const record = JSON.stringify({
      id: r.id,
      hostname: r.hostname,
      pid: r.pid,
      started_at: r.startedAt,
      heartbeat_at: r.heartbeatAt,
      expires_at: r.expiresAt,
      queues: r.queues,
      task_names: r.taskNames,
    });
    await this.#context.connection.script('heartbeatInstance', 'heartbeat', [r.id, record, String(r.expiresAt), String(r.heartbeatAt - INSTANCE_RECORD_RETENTION_MS)]);
  }

  async removeInstance(id: string): Promise<void> {
    checkInstanceId(id, 'removeInstance');
    const { connection, keys } = this.#context;
    await connection.run('removeInstance', (client) => client.multi().hdel(keys.instances, id).zrem(keys.instanceExpiries, id).exec());
  }

  async listInstances(): Promise<InstanceRecord[]> {
    const { connection, keys } = this.#context;
    const hash = await connection.run('listInstances', (client) => client.hgetall(keys.instances));
    const records = Object.entries(hash).map(([id, json]) => {
      let row: unknown;
      try {
        row = JSON.parse(json);
      } catch (error) {
        throw new StorageError(
          `RedisStorage read a malformed instance record of "${id}" in "${keys.instances}": not JSON. Delete the field.`,
          { cause: error },
        );
      }
      return readers.instance(typeof row === 'object' && row !== null ? (row as Record<string, unknown>) : { id });
    });
    return records.sort(compareInstances);
  }
}
