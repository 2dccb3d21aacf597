import type { ActivityItem } from '@evertask/monitor';
import { StatusBadge } from '../components/StatusBadge';
import { formatTime, shortId } from '../format';
import { href, navigate } from '../router';

/** The latest task changes, each linking to its task. */
export function ActivityList({ items }: { items: ActivityItem[] }) {
  if (items.length === 0) return <p className="state state-empty">No activity yet.</p>;
  return (
    <ul className="activity">
      {items.map((item) => (
        <li key={`${item.taskId}-${item.timestamp}`}>
          <StatusBadge status={item.status} />
          <a href={href(`/tasks/${item.taskId}`)} onClick={(event) => { event.preventDefault(); navigate(`/tasks/${item.taskId}`); }}>
            {item.name} <span className="muted">{shortId(item.taskId)}</span>
          </a>
          <time className="muted">{formatTime(item.timestamp)}</time>
        </li>
      ))}
    </ul>
  );
}
