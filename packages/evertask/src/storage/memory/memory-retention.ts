import type { StoredTask } from '../../ports/task-record.js';
import type { RetentionPolicy, RetentionResult } from '../../ports/task-storage.js';
import type { TaskHistory } from './task-history.js';
import type { TaskTable } from './task-table.js';

function isExpired(task: StoredTask, policy: RetentionPolicy): boolean {
  if (task.recurring !== null) return false;
  if (task.status === 'completed') return policy.completedBefore !== undefined && task.updatedAt < policy.completedBefore;
  if (task.status === 'failed' || task.status === 'cancelled') {
    return policy.failedBefore !== undefined && task.updatedAt < policy.failedBefore;
  }
  return false;
}

/**
 * Deletes old audit rows and logs by age, then old finished one-off tasks with their history.
 * Counts each removed row once: those removed by age, then the history that went with a task.
 */
export function applyRetention(table: TaskTable, history: TaskHistory, policy: RetentionPolicy): RetentionResult {
  let audits = policy.auditBefore === undefined ? 0 : history.pruneAudits(policy.auditBefore);
  let logs = policy.logsBefore === undefined ? 0 : history.pruneLogs(policy.logsBefore);
  const expired = [...table.values()].filter((task) => isExpired(task, policy));
  for (const task of expired) {
    table.delete(task);
    const removed = history.deleteTask(task.id);
    audits += removed.audits;
    logs += removed.logs;
  }
  return { tasks: expired.length, audits, logs };
}
