import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One execution of a task as a worker process recorded it (`end` null: its process died first). */
export interface Execution {
  taskId: string;
  pid: number;
  start: number;
  end: number | null;
}

/**
 * The writing side, in a worker: one file per instance, one line per event, each written with a
 * single append (a SIGKILL leaves whole lines): `s <seq> <taskId> <time>` when an execution starts,
 * `e <seq> <time>` when it ends.
 */
export class ExecutionLedgerWriter {
  readonly #file: string;
  #seq = 0;

  constructor(dir: string, instanceId: string) {
    this.#file = join(dir, `${instanceId}.${process.pid}.log`);
  }

  /** Records the start of an execution; returns its number for `ended`. */
  started(taskId: string): number {
    const seq = ++this.#seq;
    appendFileSync(this.#file, `s ${seq} ${taskId} ${Date.now()}\n`);
    return seq;
  }

  ended(seq: number): void {
    appendFileSync(this.#file, `e ${seq} ${Date.now()}\n`);
  }
}

/** Every execution the workers recorded in `dir`, ordered by task, then start. */
export function readExecutions(dir: string): Execution[] {
  const executions: Execution[] = [];
  for (const name of readdirSync(dir)) {
    const match = /^.+\.(\d+)\.log$/.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    const bySeq = new Map<string, Execution>();
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      const [kind, seq = '', a, b] = line.split(' ');
      if (kind === 's' && a !== undefined && b !== undefined) {
        const execution: Execution = { taskId: a, pid, start: Number(b), end: null };
        bySeq.set(seq, execution);
        executions.push(execution);
      } else if (kind === 'e' && a !== undefined) {
        const execution = bySeq.get(seq);
        if (execution !== undefined) execution.end = Number(a);
      }
    }
  }
  return executions.sort((x, y) => (x.taskId < y.taskId ? -1 : x.taskId > y.taskId ? 1 : x.start - y.start));
}
