/**
 * The imaginary driver and statements of the custom-storage guide's class example (imported
 * there as `./my-driver.js`): just enough types for the example to compile.
 */
import { MemoryStorage, type InstanceRecord } from 'evertask';
import type { UncheckedInstanceRegistry, UncheckedStorageRoles } from 'evertask/storage-kit';

export interface MyOptions {
  url: string;
}
export interface MyDb {
  reopen(): void;
  end(): Promise<void>;
}
export function connect(_options: MyOptions): MyDb {
  return { reopen: () => undefined, end: async () => undefined };
}
export async function migrate(_db: MyDb): Promise<void> {}

/** Statements over a MemoryStorage, standing in for the database's. */
export function myQueries(_db: MyDb): UncheckedStorageRoles {
  const memory = new MemoryStorage();
  return {
    tasks: memory,
    transitions: memory,
    claims: memory,
    reads: { get: (id) => memory.get(id), getByTaskKey: (key) => memory.getByTaskKey(key), pending: (a, l) => memory.pending(a, l), query: (f, p) => memory.query(f, p), count: (f) => memory.count(f) },
    history: {
      getStatusAudit: (id) => memory.getStatusAudit(id),
      getRunAudit: (id) => memory.getRunAudit(id),
      saveExecutionLogs: (id, logs) => memory.saveExecutionLogs(id, logs),
      getExecutionLogs: (id, skip, take) => memory.getExecutionLogs(id, skip, take),
    },
    statistics: {
      countExecutionLogs: (id) => memory.countExecutionLogs(id),
      taskTimeline: (request) => memory.taskTimeline(request),
      taskGroups: (request) => memory.taskGroups(request),
    },
    queueState: memory,
    retention: memory,
  };
}
export function myInstanceQueries(_db: MyDb): UncheckedInstanceRegistry {
  const records = new Map<string, InstanceRecord>();
  return {
    heartbeatInstance: async (record) => void records.set(record.id, record),
    removeInstance: async (id) => void records.delete(id),
    listInstances: async () => [...records.values()],
  };
}
