import { api } from '../api/client';
import { useResource } from '../api/use-resource';
import { LoadState } from '../components/LoadState';
import { StatusBadge } from '../components/StatusBadge';
import { formatTime } from '../format';
import { href, navigate } from '../router';

/** The recurring series: schedule in words, next and last run, soonest first; refreshed every 5 s. */
export function RecurringView() {
  const series = useResource(() => api.tasks({ recurring: true, sortBy: 'dueAt', sortDescending: false, pageSize: 100 }), 'recurring', 5000);
  return (
    <section>
      <header className="view-header"><h1>Recurring</h1></header>
      <LoadState resource={series} isEmpty={(page) => page.totalCount === 0} empty="No recurring task is stored.">
        {(page) => (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th>Series</th><th>Schedule</th><th>Next run</th><th className="wide-only">Last run</th><th>Status</th></tr></thead>
              <tbody>
                {page.items.map((task) => (
                  <tr key={task.id} data-task-id={task.id}>
                    <td>
                      <a href={href(`/tasks/${task.id}`)} onClick={(event) => { event.preventDefault(); navigate(`/tasks/${task.id}`); }}>{task.name}</a>
                      {task.taskKey !== null && <div className="muted small">{task.taskKey}</div>}
                    </td>
                    <td>{task.recurringInfo ?? '—'}</td>
                    <td>{formatTime(task.dueAt)}</td>
                    <td className="wide-only">{formatTime(task.lastExecutionAt)}{task.errorSummary !== null && <div className="error-text small">{task.errorSummary}</div>}</td>
                    <td><StatusBadge status={task.status} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
            {page.totalCount > page.items.length && <p className="muted small">{page.items.length} of {page.totalCount} shown; the task list filters the rest.</p>}
          </div>
        )}
      </LoadState>
    </section>
  );
}
