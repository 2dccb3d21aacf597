/**
 * `TaskStatistics` of the `MemoryStorage`: each call is one pass over every stored task (O(n), no
 * index), folding the tasks created in the window into tallies. A dashboard over a memory storage
 * of a few hundred thousand tasks still answers in tens of milliseconds; the persistent storages
 * compute the same figures in SQL over their indexes.
 */
import type { StoredTask } from '../../ports/task-record.js';
import type { TaskGroup, TaskGroupRequest, TaskTally, TimelineBucket, TimelineRequest } from '../../ports/task-statistics.js';
import { compareStrings } from '../../collections/sorted-insert.js';
import { addToTally, emptyTally, timelineBucketCount } from '../../storage-kit/statistics-rows.js';
import type { TaskTable } from './task-table.js';

function tallyTask(tally: TaskTally, task: StoredTask): void {
  const timed = task.status === 'completed' && task.executionTimeMs !== null;
  const ms = task.executionTimeMs ?? 0;
  addToTally(tally, task.status, 1, timed ? 1 : 0, ms, ms, ms);
}

/** The timeline of a (validated) request. */
export function taskTimeline(table: TaskTable, request: TimelineRequest): TimelineBucket[] {
  const { from, to, bucketMs, queue } = request;
  const buckets: TimelineBucket[] = Array.from({ length: timelineBucketCount(request) }, (_, i) => ({ start: from + i * bucketMs, ...emptyTally() }));
  for (const task of table.values()) {
    if (task.createdAt < from || task.createdAt >= to || (queue !== undefined && task.queue !== queue)) continue;
    tallyTask(buckets[Math.floor((task.createdAt - from) / bucketMs)] as TimelineBucket, task);
  }
  return buckets;
}

/** The groups of a (validated) request, by key. */
export function taskGroups(table: TaskTable, request: TaskGroupRequest): TaskGroup[] {
  const { groupBy, from, to, queue } = request;
  const groups = new Map<string, TaskGroup>();
  for (const task of table.values()) {
    if ((from !== undefined && task.createdAt < from) || (to !== undefined && task.createdAt >= to)) continue;
    if (queue !== undefined && task.queue !== queue) continue;
    const key = groupBy === 'name' ? task.name : task.queue;
    let group = groups.get(key);
    if (group === undefined) {
      group = { key, ...emptyTally() };
      groups.set(key, group);
    }
    tallyTask(group, task);
  }
  return [...groups.values()].sort((a, b) => compareStrings(a.key, b.key));
}
