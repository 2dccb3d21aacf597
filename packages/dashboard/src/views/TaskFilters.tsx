import type { TaskQuery } from '../api/client';

export const STATUSES = ['waiting', 'queued', 'in-progress', 'completed', 'failed', 'cancelled', 'service-stopped'] as const;

/** Status, search text, queue and kind filters of the task list. */
export function TaskFilters({ value, onChange }: { value: TaskQuery; onChange: (next: TaskQuery) => void }) {
  const status = value.statuses?.[0] ?? '';
  return (
    <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filters">
      <label>Status
        <select value={status} onChange={(event) => onChange({ ...value, statuses: event.target.value === '' ? undefined : [event.target.value] })}>
          <option value="">any</option>
          {STATUSES.map((option) => <option key={option} value={option}>{option}</option>)}
        </select>
      </label>
      <label>Search
        <input type="search" placeholder="name or key" value={value.search ?? ''} onChange={(event) => onChange({ ...value, search: event.target.value })} />
      </label>
      <label>Queue
        <input placeholder="any" value={value.queue ?? ''} onChange={(event) => onChange({ ...value, queue: event.target.value.trim() === '' ? undefined : event.target.value })} />
      </label>
      <label>Kind
        <select value={value.recurring === undefined ? '' : String(value.recurring)} onChange={(event) => onChange({ ...value, recurring: event.target.value === '' ? undefined : event.target.value === 'true' })}>
          <option value="">all</option>
          <option value="false">one-off</option>
          <option value="true">recurring</option>
        </select>
      </label>
    </form>
  );
}
