import type { TaskListItem } from '@evertask/monitor';
import { StatusBadge } from '../components/StatusBadge';
import { formatDuration, formatTime, shortId } from '../format';
import { href, navigate } from '../router';

const COLUMNS: { field: string | undefined; label: string; className?: string }[] = [
  { field: 'name', label: 'Task' },
  { field: 'status', label: 'Status' },
  { field: 'queue', label: 'Queue', className: 'wide-only' },
  { field: 'createdAt', label: 'Created', className: 'wide-only' },
  { field: 'dueAt', label: 'Due', className: 'wide-only' },
  { field: 'lastExecutionAt', label: 'Last run' },
  { field: undefined, label: 'Time', className: 'wide-only' },
];

/** One row per task, the headers sorting by their column. */
export function TaskTable({ items, sortBy, descending, onSort }: { items: TaskListItem[]; sortBy: string; descending: boolean; onSort: (field: string) => void }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column.label} className={column.className} aria-sort={column.field === sortBy ? (descending ? 'descending' : 'ascending') : undefined}>
                {column.field === undefined ? column.label : (
                  <button type="button" className="sort" onClick={() => onSort(column.field as string)}>
                    {column.label}{column.field === sortBy ? (descending ? ' ▾' : ' ▴') : ''}
                  </button>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((task) => (
            <tr key={task.id} data-task-id={task.id}>
              <td>
                <a href={href(`/tasks/${task.id}`)} onClick={(event) => { event.preventDefault(); navigate(`/tasks/${task.id}`); }}>{task.name}</a>
                <div className="muted small">{shortId(task.id)}{task.isRecurring ? ' · recurring' : ''}{task.errorSummary !== null ? ` · ${task.errorSummary}` : ''}</div>
              </td>
              <td><StatusBadge status={task.status} /></td>
              <td className="wide-only">{task.queue}</td>
              <td className="wide-only">{formatTime(task.createdAt)}</td>
              <td className="wide-only">{formatTime(task.dueAt)}</td>
              <td>{formatTime(task.lastExecutionAt)}</td>
              <td className="wide-only">{formatDuration(task.executionTimeMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
