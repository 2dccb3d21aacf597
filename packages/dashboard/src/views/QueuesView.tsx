import { api } from '../api/client';
import { useResource } from '../api/use-resource';
import { LoadState } from '../components/LoadState';
import { ConfirmAction } from '../components/ConfirmAction';
import { formatDuration, formatPercent, formatTime } from '../format';

/** Every queue: its configuration in this engine, its stored counts, and pause/resume (for every engine on the storage). */
export function QueuesView({ canAct }: { canAct: boolean }) {
  const queues = useResource(() => api.queues(), 'queues', 5000);
  return (
    <section>
      <header className="view-header"><h1>Queues</h1></header>
      <LoadState resource={queues} isEmpty={(list) => list.length === 0} empty="No queue configured and no task stored.">
        {(list) => (
          <div className="cards">
            {list.map((queue) => (
              <article className="card" key={queue.queueName} aria-label={`Queue ${queue.queueName}`}>
                <h2>{queue.queueName}{!queue.configured && <span className="muted small"> (not run here)</span>}{queue.paused && <span className="badge badge-paused">paused</span>}</h2>
                {queue.paused && <p className="muted small" aria-label="Paused">Paused {formatTime(queue.pausedAt)}{queue.pausedBy !== null ? ` by ${queue.pausedBy}` : ''}: no engine claims its tasks.</p>}
                {canAct && (
                  <div className="actions">
                    {queue.paused ? (
                      <ConfirmAction
                        label="Resume"
                        title={`Resume queue ${queue.queueName}?`}
                        message={`Every engine on this storage claims the tasks of ${queue.queueName} again (${queue.pendingTasks} pending).`}
                        run={() => api.resumeQueue(queue.queueName)}
                        onDone={queues.reload}
                      />
                    ) : (
                      <ConfirmAction
                        label="Pause"
                        title={`Pause queue ${queue.queueName}?`}
                        message={`No engine on this storage claims its tasks until it is resumed; running tasks finish.`}
                        danger
                        run={() => api.pauseQueue(queue.queueName)}
                        onDone={queues.reload}
                      />
                    )}
                  </div>
                )}
                <dl className="facts">
                  <dt>Concurrency</dt><dd>{queue.concurrency ?? '—'}</dd>
                  <dt>Capacity</dt><dd>{queue.capacity ?? '—'}{queue.whenFull !== null ? `, when full: ${queue.whenFull}` : ''}</dd>
                  <dt>Timeout</dt><dd>{formatDuration(queue.timeoutMs)}</dd>
                  <dt>Running / buffered</dt><dd>{queue.running} / {queue.buffered}</dd>
                  <dt>Pending</dt><dd>{queue.pendingTasks}</dd>
                  <dt>In progress</dt><dd>{queue.inProgressTasks}</dd>
                  <dt>Completed / failed</dt><dd>{queue.completedTasks} / {queue.failedTasks}</dd>
                  <dt>Cancelled</dt><dd>{queue.cancelledTasks}</dd>
                  <dt>Throttled</dt><dd>{queue.throttledCount}</dd>
                  <dt>Success rate</dt><dd>{formatPercent(queue.successRate)}</dd>
                  <dt>Avg. execution</dt><dd>{formatDuration(queue.avgExecutionTimeMs)}</dd>
                </dl>
              </article>
            ))}
          </div>
        )}
      </LoadState>
    </section>
  );
}
