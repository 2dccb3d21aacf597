import { afterEach } from 'vitest';
import { EverTask, MemoryStorage, silentLogger, type EverTaskOptions, type TaskStatus } from '../../src/index.js';

export function createEngine(options: Partial<EverTaskOptions> & Pick<EverTaskOptions, 'tasks'>): EverTask {
  return new EverTask({ storage: new MemoryStorage(), logger: silentLogger, ...options });
}

/** Polls until the task reaches one of the statuses (real time). */
export async function waitForStatus(engine: EverTask, id: string, statuses: TaskStatus | TaskStatus[], timeoutMs = 5000) {
  const wanted = Array.isArray(statuses) ? statuses : [statuses];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await engine.getTask(id);
    if (task && wanted.includes(task.status)) return task;
    if (Date.now() > deadline) throw new Error(`task ${id} did not reach ${wanted.join('/')} (is ${task?.status})`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Polls until the condition holds (real time). */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Stops, after each test, every engine passed to the returned `track` (which returns it), so a
 * failing test never leaves timers or handlers running into the next one.
 */
export function stopEnginesAfterEach(timeout = 50): <E extends EverTask>(engine: E) => E {
  const engines: EverTask[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop({ timeout })));
  });
  return (engine) => {
    engines.push(engine);
    return engine;
  };
}
