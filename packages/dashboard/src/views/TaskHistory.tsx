import type { RunAuditItem, StatusAuditItem } from '@evertask/monitor';
import { StatusBadge } from '../components/StatusBadge';
import { formatDuration, formatTime } from '../format';

/** The status changes and the runs of a task, oldest first. */
export function TaskHistory({ statuses, runs }: { statuses: StatusAuditItem[]; runs: RunAuditItem[] }) {
  return (
    <div className="grid-2">
      <div className="card">
        <h2>Status history</h2>
        {statuses.length === 0 ? <p className="state state-empty">No status change recorded.</p> : (
          <ol className="timeline" aria-label="Status history">
            {statuses.map((audit, index) => (
              <li key={`${audit.at}-${index}`}><StatusBadge status={audit.status} /> <time>{formatTime(audit.at)}</time>{audit.actor !== null && <span className="muted small"> by {audit.actor}</span>}{audit.error !== null && <div className="error-text small">{audit.error.split('\n', 1)[0]}</div>}</li>
            ))}
          </ol>
        )}
      </div>
      <div className="card">
        <h2>Runs</h2>
        {runs.length === 0 ? <p className="state state-empty">No run recorded.</p> : (
          <ol className="timeline" aria-label="Runs">
            {runs.map((run, index) => (
              <li key={`${run.at}-${index}`}><StatusBadge status={run.status} /> <time>{formatTime(run.at)}</time> · {formatDuration(run.executionTimeMs)}{run.error !== null && <div className="error-text small">{run.error.split('\n', 1)[0]}</div>}</li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}
