import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One execution of a task as a worker process recorded it (`end` null: its process died first). */
export interface Execution {
  taskId: string;
  pid: number;
  start: number;
  end: number | null;
  /** What the worker wrote with the start (`started(taskId, note)`), '' without one. */
  note: string;
}

/** A dispatch the storage acknowledged, as a worker process recorded it (`dispatched`). */
export interface Dispatch {
  taskId: string;
  pid: number;
  at: number;
  note: string;
}

/**
 * The writing side, in a worker: one file per instance, one line per event, each written with a
 * single append (a SIGKILL leaves whole lines): `s <seq> <taskId> <time> [note]` when an execution
 * starts, `e <seq> <time>` when it ends, `d <taskId> <time> [note]` for an acknowledged dispatch.
 */
export class ExecutionLedgerWriter {
  readonly #file: string;
  #seq = 0;

  constructor(dir: string, instanceId: string) {
    this.#file = join(dir, `${instanceId}.${process.pid}.log`);
  }

  /** Records the start of an execution; returns its number for `ended`. */
  started(taskId: string, note = ''): number {
    const seq = ++this.#seq;
    appendFileSync(this.#file, `s ${seq} ${taskId} ${Date.now()}${note === '' ? '' : ` ${note}`}\n`);
    return seq;
  }

  /** Records acknowledged dispatches, all in one append (a SIGKILL leaves all or none); notes without spaces. */
  dispatched(entries: readonly { taskId: string; note: string }[]): void {
    if (entries.length === 0) return;
    const at = Date.now();
    appendFileSync(this.#file, entries.map((e) => `d ${e.taskId} ${at} ${e.note}\n`).join(''));
  }

  ended(seq: number): void {
    appendFileSync(this.#file, `e ${seq} ${Date.now()}\n`);
  }
}

/** The lines of every ledger file in `dir`, with the pid of the process that wrote them. */
function ledgerLines(dir: string): { pid: number; lines: string[] }[] {
  const files: { pid: number; lines: string[] }[] = [];
  for (const name of readdirSync(dir)) {
    const match = /^.+\.(\d+)\.log$/.exec(name);
    if (match !== null) files.push({ pid: Number(match[1]), lines: readFileSync(join(dir, name), 'utf8').split('\n') });
  }
  return files;
}

/** Every acknowledged dispatch the workers recorded in `dir`, in file order. */
export function readDispatches(dir: string): Dispatch[] {
  const dispatches: Dispatch[] = [];
  for (const { pid, lines } of ledgerLines(dir)) {
    for (const line of lines) {
      const [kind, taskId, at, note = ''] = line.split(' ');
      if (kind === 'd' && taskId !== undefined && at !== undefined) dispatches.push({ taskId, pid, at: Number(at), note });
    }
  }
  return dispatches;
}

/** Every execution the workers recorded in `dir`, ordered by task, then start. */
export function readExecutions(dir: string): Execution[] {
  const executions: Execution[] = [];
  for (const { pid, lines } of ledgerLines(dir)) {
    const bySeq = new Map<string, Execution>();
    for (const line of lines) {
      const [kind, seq = '', a, b, note = ''] = line.split(' ');
      if (kind === 's' && a !== undefined && b !== undefined) {
        const execution: Execution = { taskId: a, pid, start: Number(b), end: null, note };
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
