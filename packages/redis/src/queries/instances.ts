import { INSTANCE_RECORD_RETENTION_MS, compareInstances, type InstanceRecord } from 'evertask';
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
    const row = JSON.stringify({
      id: instance.id,
      hostname: instance.hostname,
      pid: instance.pid,
      started_at: instance.startedAt,
      heartbeat_at: instance.heartbeatAt,
      expires_at: instance.expiresAt,
      queues: instance.queues,
      task_names: instance.taskNames,
    });
    const purgeBefore = instance.heartbeatAt - INSTANCE_RECORD_RETENTION_MS;
    await this.#context.connection.script('heartbeatInstance', 'heartbeat', [instance.id, row, String(instance.expiresAt), String(purgeBefore)]);
  }

  async removeInstance(id: string): Promise<void> {
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
