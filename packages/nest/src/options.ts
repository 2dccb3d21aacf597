import type { EverTaskOptions, StopOptions } from 'evertask';
import type { MonitorOptions } from '@evertask/monitor';

/** Options of `EverTaskModule.forRoot`. */
export interface EverTaskModuleOptions {
  /** The engine's options (storage, tasks, queues, …), as for `new EverTask(...)`. Required. */
  engine: EverTaskOptions;
  /**
   * Also create a monitor over the engine (needs `@evertask/monitor`), injectable with
   * `@Inject(EVERTASK_MONITOR)`; mount it with `app.use(app.get(EVERTASK_MONITOR).handler)`.
   * @defaultValue undefined (no monitor)
   */
  monitor?: Omit<MonitorOptions, 'everTask'>;
  /** How the engine stops when the Nest application closes. @defaultValue `{ closeStorage: true }` */
  stop?: StopOptions;
  /** Register the module globally, so every module can inject the engine. @defaultValue true */
  global?: boolean;
}

/** `EverTaskModule.forRoot` was given options it cannot use; the message names the option and the fix. */
export class EverTaskModuleOptionsError extends Error {
  readonly code = 'ERR_EVERTASK_MODULE_OPTIONS';

  constructor(message: string) {
    super(message);
    this.name = 'EverTaskModuleOptionsError';
  }
}

const KEYS = new Set(['engine', 'monitor', 'stop', 'global']);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the module options' shape; the engine and the monitor check their own options when created. */
export function checkModuleOptions(options: unknown): asserts options is EverTaskModuleOptions {
  if (!isPlainObject(options)) {
    throw new EverTaskModuleOptionsError(`EverTaskModule.forRoot needs an options object { engine: { storage, tasks } }; received ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new EverTaskModuleOptionsError(`EverTaskModule.forRoot has no option ${JSON.stringify(key)}; the options are engine, monitor, stop and global.`);
  }
  if (!isPlainObject(options.engine)) {
    throw new EverTaskModuleOptionsError(`EverTaskModule.forRoot option engine must be the engine's options object ({ storage, tasks, ... }); received ${describe(options.engine)}.`);
  }
  for (const key of ['monitor', 'stop'] as const) {
    if (options[key] !== undefined && !isPlainObject(options[key])) {
      throw new EverTaskModuleOptionsError(`EverTaskModule.forRoot option ${key} must be an object or left out; received ${describe(options[key])}.`);
    }
  }
  if (options.global !== undefined && typeof options.global !== 'boolean') {
    throw new EverTaskModuleOptionsError(`EverTaskModule.forRoot option global must be true or false; received ${describe(options.global)}.`);
  }
}
