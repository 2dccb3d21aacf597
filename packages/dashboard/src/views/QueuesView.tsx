import { api } from '../api/client';
import { useResource } from '../api/use-resource';
import { LoadState } from '../components/LoadState';
import { formatDuration, formatPercent } from '../format';

/** Every queue: its configuration in this engine and its stored counts. */
export function QueuesView() {
  const queues = useResource(() => api.queues(), 'queues', 5000);
  return (
    <section>
      <header className="view-header"><h1>Queues</h1></header>
      <LoadState resource={queues} isEmpty={(list) => list.length === 0} empty="No queue configured and no task stored.">
        {(list) => (
          <div className="cards">
            {list.map((queue) => (
              <article className="card" key={queue.queueName} aria-label={`Queue ${queue.queueName}`}>
                <h2>{queue.queueName}{!queue.configured && <span className="muted small"> (not run here)</span>}</h2>
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
