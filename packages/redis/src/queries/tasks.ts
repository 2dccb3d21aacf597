import { StorageError, TaskKeyConflictError, type AddOptions, type NewTask, type TaskPatch, type TaskStatus } from 'evertask';
import { COLUMN_OF_FIELD, patchedFields, wakeUpPayload } from 'evertask/storage-kit';
import type { QueryContext } from '../connection.js';
import { encodeValue, scriptJson, taskRow } from '../row-mapping.js';

/** What the add and replace scripts answer: ok, or the id or key that stopped them. */
type WriteReply = ['ok'] | ['guard'] | ['id', string] | ['key', string];

/** A patch as the scripts read it: a flat list of column, value (text or null). */
export function patchList(patch: TaskPatch | undefined): (string | null)[] {
  const list: (string | null)[] = [];
  if (patch === undefined) return list;
  for (const key of patchedFields(patch)) list.push(COLUMN_OF_FIELD[key], encodeValue(patch[key]));
  return list;
}

function throwOnConflict(reply: WriteReply, operation: string): void {
  if (reply[0] === 'key') throw new TaskKeyConflictError(reply[1]);
  if (reply[0] === 'id') {
    throw new StorageError(`RedisStorage.${operation} failed: a task with id "${reply[1]}" is already stored (or repeated in the batch); nothing was written.`);
  }
}

/** Writes of task records (arguments checked by the storage): `add`, `update`, `replace`, `remove`, each one script. */
export class TaskQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  /** The whole batch in one script: every id and key checked, then every task written, its indexes and audit row with it. */
  async add(tasks: readonly NewTask[], options: AddOptions = {}): Promise<void> {
    if (tasks.length === 0) return;
    const args = [scriptJson(tasks.map(taskRow)), options.audit === true ? '1' : '0', wakeUpPayload(tasks) ?? ''];
    throwOnConflict(await this.#context.connection.script<WriteReply>('add', 'add', args), 'add');
  }

  async update(id: string, patch: TaskPatch, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    const guard = ifStatus === undefined ? '*' : ifStatus.join(',');
    return (await this.#context.connection.script<number>('update', 'update', [id, guard, scriptJson(patchList(patch))])) === 1;
  }

  async replace(previousId: string, ifStatus: readonly TaskStatus[], task: NewTask, options: AddOptions = {}): Promise<boolean> {
    if (ifStatus.length === 0) return false;
    const args = [previousId, ifStatus.join(','), options.audit === true ? '1' : '0', wakeUpPayload([task]) ?? '', scriptJson(taskRow(task))];
    const reply = await this.#context.connection.script<WriteReply>('replace', 'replace', args);
    throwOnConflict(reply, 'replace');
    return reply[0] === 'ok';
  }

  async remove(id: string, ifStatus?: readonly TaskStatus[]): Promise<boolean> {
    const guard = ifStatus === undefined ? '*' : ifStatus.join(',');
    return (await this.#context.connection.script<number>('remove', 'remove', [id, guard])) === 1;
  }
}
