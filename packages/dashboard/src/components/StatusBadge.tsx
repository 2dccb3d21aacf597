import type { TaskStatus } from 'evertask';

/** A task status as a coloured pill. */
export function StatusBadge({ status }: { status: TaskStatus | string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}
