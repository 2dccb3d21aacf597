import type { AuditLevel, TaskStatus } from '../ports/task-record.js';

/**
 * A "real error": a failure, or any error text except on a shutdown interruption (reference §O).
 */
function isRealError(status: TaskStatus, error: string | null): boolean {
  return status === 'failed' || (status !== 'service-stopped' && error !== null);
}

/** Whether a status change writes a status-audit row at this audit level. */
export function shouldAuditStatus(level: AuditLevel, status: TaskStatus, error: string | null): boolean {
  switch (level) {
    case 'full':
      return true;
    case 'minimal':
    case 'errors-only':
      return isRealError(status, error);
    case 'none':
      return false;
  }
}

/** Whether a recurring run writes a run-audit row at this audit level. */
export function shouldAuditRun(level: AuditLevel, status: TaskStatus, error: string | null): boolean {
  switch (level) {
    case 'full':
    case 'minimal':
      return true;
    case 'errors-only':
      return status === 'failed' || error !== null;
    case 'none':
      return false;
  }
}
