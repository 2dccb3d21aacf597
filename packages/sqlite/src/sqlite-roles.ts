import type { UncheckedInstanceRegistry, UncheckedStorageRoles } from 'evertask/storage-kit';
import { patchedFields } from 'evertask/storage-kit';
import type { SqliteConnection } from './connection.js';
import { claimDueTasks, nextDueAt, renewLeases } from './queries/claims.js';
import { logsOf, runAuditOf, saveLogs, statusAuditOf } from './queries/history.js';
import { heartbeat, listInstances, removeInstance } from './queries/instances.js';
import { pausedQueues, setQueuePaused } from './queries/queue-state.js';
import { countTasks, getTask, getTaskByKey, pendingTasks, queryTasks, whereClause } from './queries/reads.js';
import { cleanup } from './queries/retention.js';
import type { SqliteSession } from './queries/session.js';
import { countLogs, taskGroups, taskTimeline } from './queries/statistics.js';
import { insertTasks, removeTask, replaceTask, updateTask } from './queries/tasks.js';
import { applyTransitions } from './queries/transitions.js';

type Connection = SqliteConnection<SqliteSession>;

/**
 * The storage's roles over one connection: each operation is one unit of work from `queries/`,
 * run by the connection (which retries while another process holds the lock). Arguments arrive
 * checked by `CheckedStorage`.
 */
export function sqliteRoles(connection: Connection): UncheckedStorageRoles {
  const run = <T>(operation: string, work: (session: SqliteSession) => T): Promise<T> => connection.run(operation, work);
  return {
    tasks: {
      add: async (tasks, options) => {
        if (tasks.length === 0) return;
        await run('add', (session) => insertTasks(session, tasks, options.audit === true));
      },
      update: (id, patch, ifStatus) => run('update', (session) => updateTask(session, id, patch, patchedFields(patch), ifStatus)),
      replace: (previousId, ifStatus, task, options) =>
        run('replace', (session) => replaceTask(session, previousId, ifStatus, task, options.audit === true)),
      remove: (id, ifStatus) => run('remove', (session) => removeTask(session, id, ifStatus)),
    },
    transitions: {
      transition: (changes) => {
        const prepared = changes.map((change) => ({ change, fields: change.patch === undefined ? [] : patchedFields(change.patch) }));
        return run('transition', (session) => applyTransitions(session, prepared));
      },
    },
    claims: {
      claimDue: ({ owner, now, limit, leaseMs, queues, names }) => {
        const queuesJson = queues === undefined ? undefined : JSON.stringify(queues);
        const namesJson = names === undefined ? undefined : JSON.stringify(names);
        return run('claimDue', (session) => claimDueTasks(session, { owner, now, limit, leaseMs, queuesJson, namesJson }));
      },
      renewLeases: (owner, now, leaseMs, ids) => run('renewLeases', (session) => renewLeases(session, owner, now + leaseMs, ids)),
      nextDueAt: (queues, names) => run('nextDueAt', (session) => nextDueAt(session, queues, names)),
    },
    reads: {
      get: (id) => run('get', (session) => getTask(session, id)),
      getByTaskKey: (taskKey) => run('getByTaskKey', (session) => getTaskByKey(session, taskKey)),
      pending: (after, limit) => run('pending', (session) => pendingTasks(session, after, limit)),
      query: (filter, page) => {
        const where = whereClause(filter);
        return run('query', (session) => queryTasks(session, where, page));
      },
      count: (filter) => {
        const where = whereClause(filter);
        return run('count', (session) => countTasks(session, where));
      },
    },
    history: {
      getStatusAudit: (taskId) => run('getStatusAudit', (session) => statusAuditOf(session, taskId)),
      getRunAudit: (taskId) => run('getRunAudit', (session) => runAuditOf(session, taskId)),
      saveExecutionLogs: (taskId, logs) => run('saveExecutionLogs', (session) => saveLogs(session, taskId, logs)),
      getExecutionLogs: (taskId, skip, take, levels) => run('getExecutionLogs', (session) => logsOf(session, taskId, skip, take, levels)),
    },
    statistics: {
      countExecutionLogs: (taskId, levels) => run('countExecutionLogs', (session) => countLogs(session, taskId, levels)),
      taskTimeline: (request) => run('taskTimeline', (session) => taskTimeline(session, request)),
      taskGroups: (request) => run('taskGroups', (session) => taskGroups(session, request)),
    },
    queueState: {
      setQueuePaused: (queue, paused, change) => run('setQueuePaused', (session) => setQueuePaused(session, queue, paused, change)),
      pausedQueues: () => run('pausedQueues', (session) => pausedQueues(session)),
    },
    retention: { cleanup: (policy) => cleanup(run, policy) },
  };
}

/** The instance registry's statements over the connection (arguments checked by the storage). */
export function sqliteInstances(connection: Connection): UncheckedInstanceRegistry {
  return {
    heartbeatInstance: (record) => connection.run('instances.heartbeat', (session) => heartbeat(session, record)),
    removeInstance: (id) => connection.run('instances.remove', (session) => removeInstance(session, id)),
    listInstances: () => connection.run('instances.list', (session) => listInstances(session)),
  };
}
