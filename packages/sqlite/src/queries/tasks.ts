/** Writing tasks: insert (with the optional status-audit row), definition patches, replacement, removal. */
import type { NewTask, TaskPatch, TaskStatus } from 'evertask';
import { COLUMN_OF_FIELD, TASK_COLUMNS } from 'evertask/storage-kit';
import { taskToParams, toSqlValue, type SqlValue } from '../row-mapping.js';
import { insertFailure } from '../sqlite-errors.js';
import type { Prepare, QuerySession, Statement } from './query-session.js';
import type { TableNames } from './tables.js';

/** The connection as this module sees it. */
type Session = QuerySession<{ tasks: TaskStatements; history: { insertStatusAudit: Statement } }>;

export interface TaskStatements {
  insert: Statement;
  exists: Statement;
  remove: Statement;
  removeIfStatus: Statement;
  /** `replace`'s guard: frees the task key of a task in one of the given statuses. */
  releaseKey: Statement;
  moveStatusAudit: Statement;
  moveRunAudit: Statement;
  moveLogs: Statement;
}

export function prepareTaskStatements(prepare: Prepare, t: TableNames): TaskStatements {
  const columns = TASK_COLUMNS.join(', ');
  const marks = TASK_COLUMNS.map(() => '?').join(', ');
  return {
    insert: prepare(`INSERT INTO ${t.tasks} (${columns}) VALUES (${marks})`),
    exists: prepare(`SELECT 1 FROM ${t.tasks} WHERE id = ?`),
    remove: prepare(`DELETE FROM ${t.tasks} WHERE id = ?`),
    removeIfStatus: prepare(`DELETE FROM ${t.tasks} WHERE id = ? AND status IN (SELECT value FROM json_each(?))`),
    releaseKey: prepare(`UPDATE ${t.tasks} SET task_key = NULL WHERE id = ? AND status IN (SELECT value FROM json_each(?))`),
    moveStatusAudit: prepare(`UPDATE ${t.statusAudit} SET task_id = @to WHERE task_id = @from`),
    moveRunAudit: prepare(`UPDATE ${t.runAudit} SET task_id = @to WHERE task_id = @from`),
    moveLogs: prepare(`UPDATE ${t.logs} SET task_id = @to WHERE task_id = @from`),
  };
}

/** Inserts validated tasks in one `BEGIN IMMEDIATE` transaction: all or none. */
export function insertTasks(session: Session, tasks: readonly NewTask[], audit: boolean): void {
  const { tasks: statements, history } = session.statements;
  let current: NewTask | undefined;
  const insert = session.db.transaction(() => {
    for (const task of tasks) {
      current = task;
      statements.insert.run(taskToParams(task));
      if (audit) history.insertStatusAudit.run(task.id, task.status, task.createdAt, null, null);
    }
  });
  try {
    insert.immediate();
  } catch (error) {
    throw insertFailure(error, current, session.location);
  }
}

/**
 * Replaces task `previousId`, when its status is one of `ifStatus`, by `task` in one `BEGIN
 * IMMEDIATE` transaction: the key is freed, `task` inserted, the history moved under it and the
 * previous row deleted. Returns false (nothing written) when the guard fails.
 */
export function replaceTask(session: Session, previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, audit: boolean): boolean {
  const { tasks: statements, history } = session.statements;
  const replace = session.db.transaction((): boolean => {
    if (statements.releaseKey.run(previousId, JSON.stringify(ifStatus)).changes === 0) return false;
    statements.insert.run(taskToParams(task));
    const move = { from: previousId, to: task.id };
    statements.moveStatusAudit.run(move);
    statements.moveRunAudit.run(move);
    statements.moveLogs.run(move);
    statements.remove.run(previousId);
    if (audit) history.insertStatusAudit.run(task.id, task.status, task.createdAt, null, null);
    return true;
  });
  try {
    return replace.immediate();
  } catch (error) {
    throw insertFailure(error, task, session.location);
  }
}

/** Sets the patched definition fields (never the status), when the status is one of `ifStatus`. */
export function updateTask(
  session: Session,
  id: string,
  patch: TaskPatch,
  fields: readonly (keyof TaskPatch)[],
  ifStatus: readonly TaskStatus[] | undefined,
): boolean {
  const guard = ifStatus === undefined ? 0 : ifStatus.length;
  const statement = session.cached(`u|${fields.join(',')}|${guard}`, () => {
    const sets = fields.map((field) => `${COLUMN_OF_FIELD[field]} = ?`);
    const where = guard > 0 ? ` AND status IN (${Array(guard).fill('?').join(', ')})` : '';
    return sets.length > 0
      ? `UPDATE ${session.tables.tasks} SET ${sets.join(', ')} WHERE id = ?${where} RETURNING id`
      : `SELECT id FROM ${session.tables.tasks} WHERE id = ?${where}`;
  });
  const params: SqlValue[] = fields.map((field) => toSqlValue(patch[field]));
  params.push(id);
  if (ifStatus) params.push(...ifStatus);
  return statement.get(params) !== undefined;
}

/** Deletes a task (its audit and logs go with it by cascade). */
/** Deletes a task (its history goes by cascade), only in one of `ifStatus` when given; returns whether it did. */
export function removeTask(session: Session, id: string, ifStatus?: readonly TaskStatus[]): boolean {
  const statements = session.statements.tasks;
  if (ifStatus === undefined) return statements.remove.run(id).changes > 0;
  return statements.removeIfStatus.run(id, JSON.stringify(ifStatus)).changes > 0;
}
