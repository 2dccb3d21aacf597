import { useState } from 'react';
import { api, type TaskQuery } from '../api/client';
import { useResource } from '../api/use-resource';
import { LoadState } from '../components/LoadState';
import { Pager } from '../components/Pager';
import { TaskFilters } from './TaskFilters';
import { TaskTable } from './TaskTable';
import { BulkActions } from './BulkActions';

const PAGE_SIZE = 20;

/** The task list: filters, sortable columns, paging, bulk retry/cancel of the filter; refreshed every 3 s. */
export function TasksView({ canAct }: { canAct: boolean }) {
  const [filters, setFilters] = useState<TaskQuery>({ sortBy: 'createdAt', sortDescending: true, page: 1 });
  const parameters = { ...filters, pageSize: PAGE_SIZE };
  const tasks = useResource(() => api.tasks(parameters), JSON.stringify(parameters), 3000);
  const sortBy = (field: string) =>
    setFilters((previous) => ({ ...previous, page: 1, sortBy: field, sortDescending: previous.sortBy === field ? !previous.sortDescending : true }));
  return (
    <section>
      <header className="view-header"><h1>Tasks</h1></header>
      <TaskFilters value={filters} onChange={(next) => setFilters({ ...next, page: 1 })} />
      {canAct && <BulkActions filters={filters} matching={tasks.data?.totalCount} onDone={tasks.reload} />}
      <LoadState resource={tasks} isEmpty={(page) => page.totalCount === 0} empty="No task matches these filters.">
        {(page) => (
          <>
            <TaskTable items={page.items} sortBy={filters.sortBy ?? 'createdAt'} descending={filters.sortDescending ?? true} onSort={sortBy} />
            <Pager page={page.page} totalPages={page.totalPages} totalCount={page.totalCount} onPage={(next) => setFilters((previous) => ({ ...previous, page: next }))} />
          </>
        )}
      </LoadState>
    </section>
  );
}
