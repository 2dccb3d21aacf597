import { api } from '../api/client';
import { useResource } from '../api/use-resource';
import { LoadState } from '../components/LoadState';
import { StatusBadge } from '../components/StatusBadge';
import { JsonView } from '../components/JsonView';
import { formatDuration, formatTime } from '../format';
import { href, navigate } from '../router';
import { TaskActions } from './TaskActions';
import { LogViewer } from './LogViewer';
import { TaskHistory } from './TaskHistory';

/** Everything about one task: fields, payload, error, schedule, history, runs and logs. */
export function TaskDetailView({ id, canAct }: { id: string; canAct: boolean }) {
  const task = useResource(() => api.task(id), id, 3000);
  return (
    <section>
      <a className="back" href={href('/tasks')} onClick={(event) => { event.preventDefault(); navigate('/tasks'); }}>‹ Tasks</a>
      <LoadState resource={task}>
        {(detail) => (
          <>
            <header className="view-header">
              <h1>{detail.name} <StatusBadge status={detail.status} /></h1>
              {canAct && <TaskActions task={detail} onChanged={task.reload} />}
            </header>
            <div className="grid-2">
              <dl className="card facts">
                <dt>Id</dt><dd className="mono">{detail.id}</dd>
                <dt>Queue</dt><dd>{detail.queue}</dd>
                <dt>Key</dt><dd>{detail.taskKey ?? '—'}</dd>
                <dt>Created</dt><dd>{formatTime(detail.createdAt)}</dd>
                <dt>Due</dt><dd>{formatTime(detail.dueAt)}</dd>
                <dt>Last run</dt><dd>{formatTime(detail.lastExecutionAt)} ({formatDuration(detail.executionTimeMs)})</dd>
                <dt>Attempts</dt><dd>{detail.attempts}</dd>
                <dt>Lease</dt><dd>{detail.leaseOwner === null ? '—' : `${detail.leaseOwner} until ${formatTime(detail.leaseExpiresAt)}`}</dd>
                {detail.recurring !== null && (
                  <>
                    <dt>Schedule</dt><dd>{detail.recurringInfo ?? detail.recurring.schedule ?? '—'}</dd>
                    <dt>Runs</dt><dd>{detail.recurring.runCount}{detail.recurring.maxRuns !== null ? ` of ${detail.recurring.maxRuns}` : ''}, last {detail.recurring.lastOutcome ?? '—'}</dd>
                    <dt>Until</dt><dd>{formatTime(detail.recurring.runUntil)}</dd>
                  </>
                )}
              </dl>
              <div className="card">
                <h2>Payload</h2>
                <JsonView value={detail.payload} label="Payload" />
                {detail.error !== null && (
                  <>
                    <h2>Error</h2>
                    <pre className="error-text" aria-label="Error">{detail.error}</pre>
                  </>
                )}
              </div>
            </div>
            <TaskHistory statuses={detail.statusAudits} runs={detail.runsAudits} />
            <LogViewer taskId={detail.id} total={detail.executionLogCount} />
          </>
        )}
      </LoadState>
    </section>
  );
}
