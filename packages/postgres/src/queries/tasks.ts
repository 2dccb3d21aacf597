import { InvalidArgumentError, type AddOptions, type NewTask, type StoredTask, type TaskPatch, type TaskStatus } from 'evertask';
import { isQueryable, type QueryContext, type Queryable } from '../connection.js';
import { sqlState, toStorageError, toTaskKeyConflict } from '../postgres-errors.js';
import { COLUMN_OF_FIELD, TASK_COLUMNS, patchedFields, wakeUpPayload } from 'evertask/storage-kit';
import { TASK_COLUMN_TYPES, arrayLiteral, taskValue } from '../row-mapping.js';

/**
 * How `add` sends one column of a chunk: an array with a value per row (`unnest`), one value for
 * every row (a scalar parameter), or NULL for every row (a constant, no parameter).
 */
type AddColumnMode = 'array' | 'same' | 'null';

/**
 * `add`: one statement per chunk, shaped by the chunk. Columns that vary arrive as one array each
 * and are expanded server-side by `unnest` (one parse, one plan, no per-row placeholders); a column
 * with one value for every row (the task name, the status, the queue, the counters) is one scalar
 * parameter, and a column that is NULL in every row (most of them, for a new task) is a constant,
 * so the server parses arrays only for what differs. The optional audit rows and the wake-up
 * NOTIFY ride in the same statement, so they commit (and the NOTIFY is delivered) exactly when the
 * insert commits, also inside a user's transaction. Data-modifying CTEs run to completion whether
 * or not the final SELECT reads them.
 *
 * Parameters: $1 channel, $2 notification payload (NULL: none), then one per `array`/`same`
 * column in column order.
 */
function addSql(s: string, modes: readonly AddColumnMode[], audit: boolean): string {
  const select: string[] = [];
  const arrays: string[] = [];
  const names: string[] = [];
  let param = 2;
  TASK_COLUMNS.forEach((column, i) => {
    const type = TASK_COLUMN_TYPES[column];
    const mode = modes[i];
    if (mode === 'null') select.push(`NULL::${type}`);
    else if (mode === 'same') select.push(`$${++param}::${type}`);
    else {
      arrays.push(`$${++param}::${type}[]`);
      names.push(`c${i}`);
      select.push(`u.c${i}`);
    }
  });
  const from = arrays.length === 0 ? '' : ` FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')})`;
  const source = `SELECT ${select.join(', ')}${from}`;
  const auditCte = audit
    ? `,
aud AS (
  INSERT INTO ${s}.status_audit (task_id, status, at, error)
  SELECT id, status, updated_at, NULL FROM src
)`
    : '';
  return `WITH src (${TASK_COLUMNS.join(', ')}) AS (${source}),
ins AS (
  INSERT INTO ${s}.tasks (${TASK_COLUMNS.join(', ')}) SELECT * FROM src
)${auditCte}
SELECT pg_notify($1::text, $2::text) WHERE $2::text IS NOT NULL`;
}

const ID_COLUMN = TASK_COLUMNS.indexOf('id');

/** Distinct `add` statement shapes kept; real workloads have a handful. */
const ADD_SHAPE_CACHE_LIMIT = 64;

/** What `add` needs besides the context: where it sends wake-ups and how large a chunk is. */
export interface TaskWriteOptions {
  channel: string;
  notifications: boolean;
  addChunkSize: number;
}

/** Writes of task rows (arguments checked by the storage): `add` (batched, optionally in the caller's transaction), `update`, `replace`, `remove`. */
export class TaskQueries {
  readonly #context: QueryContext;
  readonly #options: TaskWriteOptions;
  readonly #removeSql: string;
  readonly #replaceSql: { releaseKey: string; moveHistory: string };
  /** `add` statements by chunk shape (see `#addStatement`). */
  readonly #addStatements = new Map<string, { name: string; text: string }>();

  constructor(context: QueryContext, options: TaskWriteOptions) {
    this.#context = context;
    this.#options = options;
    const s = context.quotedSchema;
    this.#removeSql = `DELETE FROM ${s}.tasks WHERE id = $1::uuid`;
    this.#replaceSql = {
      // the guard: the row lock makes a concurrent replacement of the same task wait, then find it gone
      releaseKey: `UPDATE ${s}.tasks SET task_key = NULL WHERE id = $1::uuid AND status = ANY ($2::text[])`,
      moveHistory: `WITH audit AS (UPDATE ${s}.status_audit SET task_id = $2::uuid WHERE task_id = $1::uuid),
runs AS (UPDATE ${s}.run_audit SET task_id = $2::uuid WHERE task_id = $1::uuid)
UPDATE ${s}.execution_logs SET task_id = $2::uuid WHERE task_id = $1::uuid`,
    };
  }

  async add(tasks: readonly NewTask[], options: AddOptions = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('PostgresStorage.add: "options" must be an object.');
    if (tasks.length === 0) return;
    const tx = options.tx;
    if (tx !== undefined && !isQueryable(tx)) {
      throw new InvalidArgumentError(
        'PostgresStorage.add: options.tx must be a pg client (from pool.connect() or new pg.Client()) inside a transaction you began.',
      );
    }
    const connection = this.#context.connection;
    const audit = options.audit === true;
    const chunk = this.#options.addChunkSize;
    const insert = async (db: Queryable): Promise<void> => {
      for (let start = 0; start < tasks.length; start += chunk) await this.#insert(db, tasks.slice(start, start + chunk), audit, 'add');
    };
    if (tx !== undefined) return insert(tx);
    if (tasks.length <= chunk) return insert(connection.pool);
    return connection.transaction('add', insert);
  }

  /** Inserts one chunk of tasks on `db`, driver errors mapped to the contract's. */
  async #insert(db: Queryable, slice: readonly NewTask[], audit: boolean, operation: string): Promise<void> {
    const { name, text, values } = this.#addStatement(slice, audit);
    try {
      await db.query(this.#context.connection.statement(name, text, values));
    } catch (error) {
      const state = sqlState(error);
      if (state === '22021' || state === '22P05') {
        // text PostgreSQL cannot store: a NUL character
        throw new InvalidArgumentError(
          `PostgresStorage.${operation}: a text field of the tasks (payload, name, task key, queue, error…) holds a NUL character, which PostgreSQL text cannot store.`,
          { cause: error },
        );
      }
      throw toTaskKeyConflict(error, slice.flatMap((t) => (t.taskKey === null ? [] : [t.taskKey]))) ?? toStorageError(operation, error);
    }
  }

  /**
   * Replaces `previousId` (when its status is in `ifStatus`) by `task` in one transaction — the
   * caller's with `options.tx`: the guard frees the key, `task` is inserted (with its wake-up), the
   * history moves under it, and the previous row is deleted.
   */
  async replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options: AddOptions = {}): Promise<boolean> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('PostgresStorage.replace: "options" must be an object.');
    const tx = options.tx;
    if (tx !== undefined && !isQueryable(tx)) {
      throw new InvalidArgumentError('PostgresStorage.replace: options.tx must be a pg client inside a transaction you began.');
    }
    const connection = this.#context.connection;
    const run = async (db: Queryable): Promise<boolean> => {
      const query = async (name: string, text: string, values: unknown[]) => {
        try {
          return await db.query(connection.statement(name, text, values));
        } catch (error) {
          throw toStorageError('replace', error);
        }
      };
      const guard = await query('replace_release_key', this.#replaceSql.releaseKey, [previousId, ifStatus]);
      if ((guard.rowCount ?? 0) === 0) return false;
      await this.#insert(db, [task], options.audit === true, 'replace');
      await query('replace_move_history', this.#replaceSql.moveHistory, [previousId, task.id]);
      await query('remove', this.#removeSql, [previousId]);
      return true;
    };
    if (tx !== undefined) return run(tx);
    return connection.transaction('replace', run);
  }

  /**
   * The insert of one chunk: each column sent as an array, one shared value or a NULL constant
   * (see `addSql`), the statement text cached per shape, and the wake-up worked out here from
   * the rows (the earliest due time of the runnable ones, and the id when there is one).
   */
  #addStatement(slice: readonly StoredTask[], audit: boolean): { name: string; text: string; values: unknown[] } {
    const modes: AddColumnMode[] = [];
    const values: unknown[] = [this.#options.channel, this.#options.notifications ? wakeUpPayload(slice) : null];
    const first = slice[0] as StoredTask;
    for (let col = 0; col < TASK_COLUMNS.length; col++) {
      const head = taskValue(first, col);
      // the id column always goes as an array when there are several rows: it carries the row count
      let same = col !== ID_COLUMN || slice.length === 1;
      for (let row = 1; row < slice.length && same; row++) same = taskValue(slice[row] as StoredTask, col) === head;
      if (same) {
        modes.push(head === null ? 'null' : 'same');
        if (head !== null) values.push(head);
        continue;
      }
      modes.push('array');
      const column = new Array<unknown>(slice.length);
      for (let row = 0; row < slice.length; row++) column[row] = taskValue(slice[row] as StoredTask, col);
      values.push(arrayLiteral(column));
    }
    const key = `${audit ? 'a' : 'n'}${modes.map((m) => m[0]).join('')}`;
    let cached = this.#addStatements.get(key);
    if (cached === undefined) {
      if (this.#addStatements.size >= ADD_SHAPE_CACHE_LIMIT) this.#addStatements.clear();
      cached = { name: `add_${key}`, text: addSql(this.#context.quotedSchema, modes, audit) };
      this.#addStatements.set(key, cached);
    }
    return { ...cached, values };
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    const keys = patchedFields(patch);
    const s = this.#context.quotedSchema;
    const values: unknown[] = [id];
    const where = [`id = $1::uuid`];
    if (ifStatus !== undefined) {
      values.push(ifStatus);
      where.push(`status = ANY ($2::text[])`);
    }
    if (keys.length === 0) {
      const res = await this.#context.connection.run('update', { text: `SELECT 1 FROM ${s}.tasks WHERE ${where.join(' AND ')}`, values });
      return res.rowCount !== null && res.rowCount > 0;
    }
    const sets = keys.map((key) => {
      values.push((patch as Record<string, unknown>)[key]);
      return `${COLUMN_OF_FIELD[key]} = $${values.length}`;
    });
    const res = await this.#context.connection.run('update', {
      text: `UPDATE ${s}.tasks SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`,
      values,
    });
    return (res.rowCount ?? 0) > 0;
  }

  async remove(id: string, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    const connection = this.#context.connection;
    const res =
      ifStatus === undefined
        ? await connection.run('remove', connection.statement('remove', this.#removeSql, [id]))
        : await connection.run('remove', connection.statement('remove_if_status', `${this.#removeSql} AND status = ANY ($2::text[])`, [id, ifStatus]));
    return (res.rowCount ?? 0) > 0;
  }
}
