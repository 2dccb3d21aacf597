import type { TaskStatus } from 'evertask';

/** Every status as a horizontal bar proportional to its count. */
export function StatusDistribution({ counts }: { counts: Record<TaskStatus, number> }) {
  const entries = Object.entries(counts) as [TaskStatus, number][];
  const top = Math.max(1, ...entries.map(([, count]) => count));
  return (
    <ul className="distribution" aria-label="Tasks by status">
      {entries.map(([status, count]) => (
        <li key={status}>
          <span className="distribution-label">{status}</span>
          <span className="distribution-track"><span className={`distribution-bar bar-${status}`} style={{ width: `${(count / top) * 100}%` }} /></span>
          <span className="distribution-count">{count}</span>
        </li>
      ))}
    </ul>
  );
}
