import type { AnyTask } from '../engine-context.js';
import type { StoredTask } from '../ports/task-record.js';

/** A dispatch that passed its checks: its definition and the record to store. */
export interface PreparedTask {
  def: AnyTask;
  record: StoredTask;
}
