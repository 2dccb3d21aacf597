import type { InstanceRecord } from '../../ports/task-storage.js';
import { compareInstances, INSTANCE_RECORD_RETENTION_MS } from '../../storage-kit/instance-checks.js';

function copyInstance(record: InstanceRecord): InstanceRecord {
  return { ...record, queues: [...record.queues], taskNames: [...record.taskNames] };
}

/** The instance registry of a `MemoryStorage` (records copied in and out). */
export class MemoryInstances {
  readonly #records = new Map<string, InstanceRecord>();

  /** Upserts `record` and forgets instances expired more than the retention before its heartbeat. */
  heartbeat(record: InstanceRecord): void {
    this.#records.set(record.id, copyInstance(record));
    const forgetBefore = record.heartbeatAt - INSTANCE_RECORD_RETENTION_MS;
    for (const [id, other] of this.#records) if (other.expiresAt < forgetBefore) this.#records.delete(id);
  }

  remove(id: string): void {
    this.#records.delete(id);
  }

  list(): InstanceRecord[] {
    return [...this.#records.values()].map(copyInstance).sort(compareInstances);
  }
}
