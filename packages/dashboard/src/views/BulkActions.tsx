import { useState } from 'react';
import type { BulkActionResponse, BulkFilter } from '@evertask/monitor';
import { api, type TaskQuery } from '../api/client';
import { ConfirmAction } from '../components/ConfirmAction';

/** The list filter as the bulk endpoint takes it (the paging and sorting left out). */
function bulkFilter(query: TaskQuery): BulkFilter {
  const filter: BulkFilter = {};
  if (query.statuses !== undefined && query.statuses.length > 0) filter.statuses = [...query.statuses] as BulkFilter['statuses'];
  if (query.name !== undefined && query.name !== '') filter.name = query.name;
  if (query.queue !== undefined && query.queue !== '') filter.queue = query.queue;
  if (query.recurring !== undefined) filter.recurring = query.recurring;
  if (query.search !== undefined && query.search !== '') filter.search = query.search;
  return filter;
}

/** Retry or cancel every task matching the list's current filter, after a confirmation. */
export function BulkActions({ filters, matching, onDone }: { filters: TaskQuery; matching: number | undefined; onDone: () => void }) {
  const [result, setResult] = useState<BulkActionResponse | undefined>();
  const filter = bulkFilter(filters);
  const among = matching === undefined ? 'the tasks' : `the ${matching}`;
  const done = (answer: BulkActionResponse) => {
    setResult(answer);
    onDone();
  };
  return (
    <div className="actions bulk-actions">
      <ConfirmAction
        label="Retry matching"
        title="Retry the failed tasks of this filter?"
        message={`Every failed task among ${among} matching this filter runs again from attempt 1.`}
        run={() => api.bulk('retry', filter)}
        onDone={done}
      />
      <ConfirmAction
        label="Cancel matching"
        title="Cancel the active tasks of this filter?"
        message={`Every waiting, queued or running task among ${among} matching this filter is cancelled. This cannot be undone.`}
        danger
        run={() => api.bulk('cancel', filter)}
        onDone={done}
      />
      {result !== undefined && (
        <span className="muted small" role="status">
          {result.action === 'retry' ? 'Retried' : 'Cancelled'} {result.applied} of {result.matched} matching ({result.skipped} skipped{result.truncated ? `; the first ${result.limit} only` : ''}).
        </span>
      )}
    </div>
  );
}
