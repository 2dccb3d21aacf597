import { InvalidArgumentError, StorageError, TaskKeyConflictError, type AddOptions, type NewTask, type TaskPatch, type TaskStatus } from 'evertask';
import { COLUMN_OF_FIELD, patchedFields } from 'evertask/storage-kit';
import type { AnyKysely, DbRow } from '../database.js';
import { chunks, taskKeyHash, taskRow } from '../row-mapping.js';
import { isKyselyInstance } from '../kysely-storage-options.js';
import type { QueryContext } from './context.js';

/** `options.tx` checked: a Kysely `Transaction`, or undefined. */
function checkAddOptions(options: AddOptions, operation: string): AnyKysely | undefined {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`KyselyStorage.${operation}: "options" must be an object; received ${String(options)}.`);
  const tx: unknown = options.tx;
  if (tx === undefined) return undefined;
  if (!isKyselyInstance(tx) || !tx.isTransaction) {
    throw new InvalidArgumentError(
      `KyselyStorage.${operation}: options.tx must be a Kysely Transaction (the "trx" of db.transaction().execute(async (trx) => …)) on the storage's database.`,
    );
  }
  return tx;
}

/** Writes of task rows (arguments checked by the storage): `add` (chunked, optionally in the caller's transaction), `update`, `replace`, `remove`. */
export class TaskQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  /** Inserts the tasks (and their first audit rows) on `db`. */
  async #insert(db: AnyKysely, tasks: readonly NewTask[], audit: boolean): Promise<void> {
    const { tasks: table, statusAudit } = this.#context.tables;
    for (const chunk of chunks(tasks, this.#context.chunkSize)) {
      await db.insertInto(table).values(chunk.map(taskRow)).execute();
      if (audit) {
        await db
          .insertInto(statusAudit)
          .values(chunk.map((task) => ({ task_id: task.id, status: task.status, at: task.updatedAt, error: null })))
          .execute();
      }
    }
  }

  async add(tasks: readonly NewTask[], options: AddOptions = {}): Promise<void> {
    const tx = checkAddOptions(options, 'add');
    if (tasks.length === 0) return;
    const audit = options.audit === true;
    const connection = this.#context.connection;
    try {
      if (tx !== undefined) await this.#insert(tx, tasks, audit);
      else if (!audit && tasks.length <= this.#context.chunkSize) await connection.run('add', (db) => this.#insert(db, tasks, false));
      else await connection.transaction('add', (db) => this.#insert(db, tasks, audit));
    } catch (error) {
      throw (await this.#keyConflict(error, tasks)) ?? connection.toStorageError('add', error);
    }
  }

  /** A violation of the task-key index as a `TaskKeyConflictError` naming the key, otherwise undefined. */
  async #keyConflict(error: unknown, tasks: readonly NewTask[]): Promise<Error | undefined> {
    const cause = error instanceof StorageError ? error.cause : error;
    const { dialect } = this.#context.connection;
    if (!dialect.isUniqueViolation(cause) || !dialect.describeError(cause).includes('task_key')) return undefined;
    const keys = tasks.flatMap((task) => (task.taskKey === null ? [] : [task.taskKey]));
    const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
    if (repeated !== undefined || keys.length <= 1) return new TaskKeyConflictError(repeated ?? keys[0] ?? '(unknown)', { cause });
    const taken = await this.#context.connection.db
      .selectFrom(this.#context.tables.tasks)
      .select('task_key')
      .where('task_key_hash', 'in', keys.map(taskKeyHash))
      .limit(1)
      .executeTakeFirst()
      .catch(() => undefined);
    return new TaskKeyConflictError(typeof taken?.task_key === 'string' ? taken.task_key : '(unknown)', { cause });
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    if (ifStatus?.length === 0) return false;
    const t = this.#context.tables.tasks;
    const values: DbRow = {};
    for (const field of patchedFields(patch)) values[COLUMN_OF_FIELD[field]] = patch[field];
    return this.#context.connection.run(
      'update',
      async (db) => {
        if (Object.keys(values).length === 0) {
          let read = db.selectFrom(t).select('id').where('id', '=', id);
          if (ifStatus !== undefined) read = read.where('status', 'in', ifStatus);
          return (await read.executeTakeFirst()) !== undefined;
        }
        let write = db.updateTable(t).set(values).where('id', '=', id);
        if (ifStatus !== undefined) write = write.where('status', 'in', ifStatus);
        return (await write.executeTakeFirst()).numUpdatedRows > 0n;
      },
      { idempotent: true },
    );
  }

  /**
   * Replaces the finished task `previousId` (when its status is one of `ifStatus`) by `task` in one
   * transaction: the old row's key is released under its row lock, the new row inserted, the old
   * history moved under the new id, the old row deleted. False when the guard does not hold.
   */
  async replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options: AddOptions = {}): Promise<boolean> {
    const tx = checkAddOptions(options, 'replace');
    if (ifStatus.length === 0) return false;
    const { tasks, statusAudit, runAudit, executionLogs } = this.#context.tables;
    const work = async (db: AnyKysely): Promise<boolean> => {
      const released = await db
        .updateTable(tasks)
        .set({ task_key: null, task_key_hash: null })
        .where('id', '=', previousId)
        .where('status', 'in', ifStatus)
        .executeTakeFirst();
      if (released.numUpdatedRows === 0n) return false;
      await this.#insert(db, [task], options.audit === true);
      for (const table of [statusAudit, runAudit, executionLogs]) {
        await db.updateTable(table).set({ task_id: task.id }).where('task_id', '=', previousId).execute();
      }
      await db.deleteFrom(tasks).where('id', '=', previousId).execute();
      return true;
    };
    const connection = this.#context.connection;
    try {
      return tx !== undefined ? await work(tx) : await connection.transaction('replace', work);
    } catch (error) {
      throw (await this.#keyConflict(error, [task])) ?? connection.toStorageError('replace', error);
    }
  }

  /** Deletes the task (guarded by `ifStatus`) and then its history, in one transaction. */
  async remove(id: string, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    if (ifStatus?.length === 0) return false;
    const { tasks, statusAudit, runAudit, executionLogs } = this.#context.tables;
    return this.#context.connection.transaction('remove', async (db) => {
      let deletion = db.deleteFrom(tasks).where('id', '=', id);
      if (ifStatus !== undefined) deletion = deletion.where('status', 'in', ifStatus);
      if ((await deletion.executeTakeFirst()).numDeletedRows === 0n) return false;
      for (const table of [statusAudit, runAudit, executionLogs]) await db.deleteFrom(table).where('task_id', '=', id).execute();
      return true;
    });
  }
}
