import type { DynamicModule, Provider } from '@nestjs/common';
import { EverTask } from 'evertask';
import type { Monitor } from '@evertask/monitor';
import { checkModuleOptions, type EverTaskModuleOptions } from './options.js';

/** Injection token of the monitor (when `forRoot` was given `monitor`). The engine's token is the `EverTask` class. */
export const EVERTASK_MONITOR = Symbol.for('@evertask/nest:monitor');
const LIFECYCLE = Symbol.for('@evertask/nest:lifecycle');

/**
 * Starts the engine once the application has bootstrapped; ends the monitor's live streams before
 * the HTTP server closes, and stops the engine gracefully after it closed (so no request can
 * still dispatch). Nest calls these hooks on `app.close()` and, with `app.enableShutdownHooks()`, on SIGTERM.
 */
function lifecycle(everTask: EverTask, monitor: Monitor | undefined, options: EverTaskModuleOptions) {
  return {
    async onApplicationBootstrap(): Promise<void> {
      await everTask.start();
    },
    beforeApplicationShutdown(): void {
      monitor?.close();
    },
    async onApplicationShutdown(): Promise<void> {
      await everTask.stop(options.stop ?? { closeStorage: true });
    },
  };
}

/**
 * The engine in a Nest application: `imports: [EverTaskModule.forRoot({ engine: { storage, tasks } })]`,
 * then inject it by its class (`constructor(@Inject(EverTask) everTask: EverTask)`).
 */
export class EverTaskModule {
  static forRoot(options: EverTaskModuleOptions): DynamicModule {
    checkModuleOptions(options);
    const providers: Provider[] = [{ provide: EverTask, useFactory: () => new EverTask(options.engine) }];
    const monitorOptions = options.monitor;
    if (monitorOptions !== undefined) {
      providers.push({
        provide: EVERTASK_MONITOR,
        inject: [EverTask],
        useFactory: async (everTask: EverTask): Promise<Monitor> => {
          const { createMonitor } = await import('@evertask/monitor'); // optional peer: loaded only when asked for
          return createMonitor({ ...monitorOptions, everTask });
        },
      });
    }
    providers.push({
      provide: LIFECYCLE,
      inject: monitorOptions === undefined ? [EverTask] : [EverTask, EVERTASK_MONITOR],
      useFactory: (everTask: EverTask, monitor?: Monitor) => lifecycle(everTask, monitor, options),
    });
    return {
      module: EverTaskModule,
      global: options.global ?? true,
      providers,
      exports: monitorOptions === undefined ? [EverTask] : [EverTask, EVERTASK_MONITOR],
    };
  }
}
