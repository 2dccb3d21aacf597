import { api } from '../api/client';
import { useResource } from '../api/use-resource';
import { LoadState } from '../components/LoadState';
import { formatTime } from '../format';

/** The rate-limit budgets: parked tasks, tracked keys with their next slot, fail-open starts. */
export function RateLimitsView() {
  const limits = useResource(() => api.rateLimits(), 'rate-limits', 3000);
  return (
    <section>
      <header className="view-header"><h1>Rate limits</h1></header>
      <LoadState resource={limits} isEmpty={(answer) => !answer.enabled} empty="No task definition has a rate limit.">
        {(answer) => (
          <>
            <div className="tiles" aria-label="Rate-limit totals">
              <div className="tile"><span>Parked tasks</span><strong>{answer.parkedTasks}</strong></div>
              <div className="tile"><span>Tracked keys</span><strong>{answer.trackedKeys}</strong></div>
              <div className="tile"><span>Fail-open starts</span><strong>{answer.failOpenCount}</strong></div>
              <div className="tile"><span>Budgets</span><strong>{answer.shared ? 'shared by every process' : 'per process'}</strong></div>
            </div>
            <div className="table-wrap">
              <table className="table" aria-label="Rate-limited tasks">
                <thead><tr><th>Task</th><th>Queue</th><th>Permits / s</th></tr></thead>
                <tbody>
                  {answer.definitions.map((definition) => (
                    <tr key={definition.name}><td className="mono">{definition.name}</td><td>{definition.queue}</td><td>{Number(definition.permitsPerSecond.toPrecision(3))}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="table-wrap">
              <table className="table" aria-label="Budgets">
                <thead><tr><th>Task</th><th>Key</th><th>Next slot</th><th>Parked</th></tr></thead>
                <tbody>
                  {answer.budgets.length === 0 && <tr><td colSpan={4} className="muted">No budget is tracked yet.</td></tr>}
                  {answer.budgets.map((budget) => (
                    <tr key={`${budget.taskName}\u0000${budget.key}`}>
                      <td className="mono">{budget.taskName}</td>
                      <td className="mono">{budget.key === '' ? <span className="muted">(shared)</span> : budget.key}</td>
                      <td>{formatTime(budget.nextSlotAt)}</td>
                      <td>{budget.reserved}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </LoadState>
    </section>
  );
}
