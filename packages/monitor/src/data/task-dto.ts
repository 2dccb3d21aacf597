import type { ExecutionLogEntry, InstanceInfo, RunAuditEntry, StatusAuditEntry, StoredTask } from 'evertask';
import type { ExecutionLogItem, InstanceItem, RunAuditItem, StatusAuditItem, TaskDetail, TaskListItem } from '../api-types.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** First line of an error text, at most 300 characters. */
function summary(error: string | null): string | null {
  if (error === null) return null;
  const line = error.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

export function toListItem(task: StoredTask): TaskListItem {
  return {
    id: task.id,
    name: task.name,
    status: task.status,
    queue: task.queue,
    taskKey: task.taskKey,
    isRecurring: task.recurring !== null,
    recurringInfo: task.recurringInfo,
    attempts: task.attempts,
    createdAt: new Date(task.createdAt).toISOString(),
    updatedAt: new Date(task.updatedAt).toISOString(),
    scheduledAt: iso(task.scheduledAt),
    dueAt: iso(task.dueAt),
    lastExecutionAt: iso(task.lastExecutionAt),
    executionTimeMs: task.executionTimeMs,
    errorSummary: summary(task.error),
  };
}

export function toStatusAuditItem(row: StatusAuditEntry): StatusAuditItem {
  return { taskId: row.taskId, status: row.status, at: new Date(row.at).toISOString(), error: row.error, actor: row.actor };
}

export function toRunAuditItem(row: RunAuditEntry): RunAuditItem {
  return { taskId: row.taskId, at: new Date(row.at).toISOString(), status: row.status, executionTimeMs: row.executionTimeMs, error: row.error };
}

export function toLogItem(row: ExecutionLogEntry): ExecutionLogItem {
  return { id: row.id, at: new Date(row.at).toISOString(), level: row.level, message: row.message, exception: row.exception, sequence: row.sequence };
}

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function toDetail(
  task: StoredTask,
  statusAudits: readonly StatusAuditEntry[],
  runsAudits: readonly RunAuditEntry[],
  executionLogCount: number,
): TaskDetail {
  return {
    ...toListItem(task),
    payload: parsePayload(task.payload),
    auditLevel: task.auditLevel,
    error: task.error,
    leaseOwner: task.leaseOwner,
    leaseExpiresAt: iso(task.leaseExpiresAt),
    recurring:
      task.recurring === null
        ? null
        : { schedule: task.recurringInfo, runCount: task.runCount, maxRuns: task.maxRuns, runUntil: iso(task.runUntil), lastOutcome: task.lastOutcome },
    statusAudits: statusAudits.map(toStatusAuditItem),
    runsAudits: runsAudits.map(toRunAuditItem),
    executionLogCount,
  };
}

export function toInstanceItem(instance: InstanceInfo): InstanceItem {
  return {
    id: instance.id,
    hostname: instance.hostname,
    pid: instance.pid,
    startedAt: instance.startedAt.toISOString(),
    lastHeartbeatAt: instance.lastHeartbeatAt.toISOString(),
    expiresAt: instance.expiresAt.toISOString(),
    alive: instance.alive,
    self: instance.self,
    queues: instance.queues,
  };
}
