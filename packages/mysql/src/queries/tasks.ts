import { InvalidArgumentError, type AddOptions, type NewTask, type TaskPatch, type TaskStatus } from 'evertask';
import { COLUMN_OF_FIELD, patchedFields, taskParameters } from 'evertask/storage-kit';
import { affectedRows, isQueryable, rowsOf, type QueryContext, type Queryable, type StatementResult } from '../connection.js';
import { toStorageError, toTaskKeyConflict } from '../mysql-errors.js';
import { TASK_INSERT_COLUMNS } from '../row-mapping.js';

/** Writes of task rows (arguments checked by the storage): `add` (batched, optionally in the caller's transaction), `update`, `replace`, `remove`. */
export class TaskQueries {
  readonly #context: QueryContext;
  readonly #addChunkSize: number;

  constructor(context: QueryContext, addChunkSize: number) {
    this.#context = context;
    this.#addChunkSize = addChunkSize;
  }

  /** The statements that insert one chunk: the tasks in one multi-row INSERT, their audit rows in a second. */
  #insertStatements(chunk: readonly NewTask[], audit: boolean): { sql: string; values: unknown[] }[] {
    const { tasks, statusAudit } = this.#context.tables;
    const statements = [{ sql: `INSERT INTO ${tasks} (${TASK_INSERT_COLUMNS}) VALUES ?`, values: [chunk.map(taskParameters)] }];
    if (audit) {
      statements.push({
        sql: `INSERT INTO ${statusAudit} (task_id, status, at, error) VALUES ?`,
        values: [chunk.map((task) => [task.id, task.status, task.updatedAt, null])],
      });
    }
    return statements;
  }

  async add(tasks: readonly NewTask[], options: AddOptions = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('MySqlStorage.add: "options" must be an object.');
    const tx = options.tx;
    if (tx !== undefined && !isQueryable(tx)) {
      throw new InvalidArgumentError(
        'MySqlStorage.add: options.tx must be a mysql2/promise connection (from pool.getConnection() or createConnection()) inside a transaction you began.',
      );
    }
    if (tasks.length === 0) return;
    const audit = options.audit === true;
    const statements: { sql: string; values: unknown[] }[] = [];
    for (let start = 0; start < tasks.length; start += this.#addChunkSize) {
      statements.push(...this.#insertStatements(tasks.slice(start, start + this.#addChunkSize), audit));
    }
    const connection = this.#context.connection;
    try {
      if (tx !== undefined) {
        for (const statement of statements) await (tx as Queryable).query(statement.sql, statement.values);
      } else if (statements.length === 1) {
        const only = statements[0] as { sql: string; values: unknown[] };
        await connection.run('add', only.sql, only.values);
      } else {
        await connection.script('add', statements);
      }
    } catch (error) {
      throw (await this.#keyConflict(error, tasks)) ?? toStorageError('add', error);
    }
  }

  /** A duplicate task key as a `TaskKeyConflictError` naming the key (looked up when the batch has several). */
  async #keyConflict(error: unknown, tasks: readonly NewTask[]): Promise<Error | undefined> {
    const cause = error instanceof Error && !('errno' in error) && error.cause !== undefined ? error.cause : error;
    const keys = tasks.flatMap((task) => (task.taskKey === null ? [] : [task.taskKey]));
    const conflict = toTaskKeyConflict(cause, keys);
    if (conflict === undefined || keys.length <= 1) return conflict;
    const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
    if (repeated !== undefined) return toTaskKeyConflict(cause, [repeated]);
    const existing = rowsOf(
      await this.#context.connection
        .run('add', `SELECT task_key FROM ${this.#context.tables.tasks} WHERE task_key IN (?) LIMIT 1`, [keys], { idempotent: true })
        .catch(() => []),
    );
    const taken = existing[0]?.task_key;
    return typeof taken === 'string' ? toTaskKeyConflict(cause, [taken]) : conflict;
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    const keys = patchedFields(patch);
    const t = this.#context.tables.tasks;
    const where = ['id = ?'];
    const whereValues: unknown[] = [id];
    if (ifStatus !== undefined) {
      where.push('status IN (?)');
      whereValues.push(ifStatus);
    }
    const connection = this.#context.connection;
    if (keys.length === 0) {
      const rows = rowsOf(await connection.run('update', `SELECT 1 AS found FROM ${t} WHERE ${where.join(' AND ')}`, whereValues, { idempotent: true }));
      return rows.length > 0;
    }
    const sets = keys.map((key) => `${COLUMN_OF_FIELD[key]} = ?`);
    const values = [...keys.map((key) => (patch as Record<string, unknown>)[key]), ...whereValues];
    const result = await connection.run('update', `UPDATE ${t} SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`, values, { idempotent: true });
    return affectedRows(result) > 0;
  }

  /**
   * Replaces the finished task `previousId` (when its status is one of `ifStatus`) by `task` in one
   * transaction: the old row's key is released under a row lock, the new row inserted, the old
   * history moved under the new id, the old row deleted. False when the guard does not hold.
   */
  async replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options: AddOptions = {}): Promise<boolean> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('MySqlStorage.replace: "options" must be an object.');
    const tx = options.tx;
    if (tx !== undefined && !isQueryable(tx)) {
      throw new InvalidArgumentError('MySqlStorage.replace: options.tx must be a mysql2/promise connection inside a transaction you began.');
    }
    if (ifStatus.length === 0) return false;
    const { tasks, statusAudit, runAudit, executionLogs } = this.#context.tables;
    const run = async (db: Queryable): Promise<boolean> => {
      const released = await db.query(`UPDATE ${tasks} SET task_key = NULL WHERE id = ? AND status IN (?)`, [previousId, ifStatus]);
      if (affectedRows(released[0] as StatementResult) === 0) {
        const found = await db.query(`SELECT 1 AS found FROM ${tasks} WHERE id = ? AND status IN (?) FOR UPDATE`, [previousId, ifStatus]);
        if (rowsOf(found[0] as StatementResult).length === 0) return false;
      }
      for (const statement of this.#insertStatements([task], options.audit === true)) await db.query(statement.sql, statement.values);
      for (const table of [statusAudit, runAudit, executionLogs]) {
        await db.query(`UPDATE ${table} SET task_id = ? WHERE task_id = ?`, [task.id, previousId]);
      }
      await db.query(`DELETE FROM ${tasks} WHERE id = ?`, [previousId]);
      return true;
    };
    try {
      if (tx !== undefined) return await run(tx as Queryable);
      return await this.#context.connection.transaction('replace', run);
    } catch (error) {
      throw (await this.#keyConflict(error, [task])) ?? toStorageError('replace', error);
    }
  }

  async remove(id: string, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    const tasks = this.#context.tables.tasks;
    const result =
      ifStatus === undefined
        ? await this.#context.connection.run('remove', `DELETE FROM ${tasks} WHERE id = ?`, [id])
        : await this.#context.connection.run('remove', `DELETE FROM ${tasks} WHERE id = ? AND status IN (?)`, [id, ifStatus]);
    return affectedRows(result) > 0;
  }
}
