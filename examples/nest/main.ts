/**
 * NestJS: `EverTaskModule.forRoot` provides the engine (inject it as `EverTask`) and the monitor,
 * starts the engine when the application bootstraps and stops it when the application closes
 * (`app.close()`, here on SIGTERM; `app.enableShutdownHooks()` works too).
 * Run: `MONITOR_PASSWORD=... npm run nest --workspace examples`.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EverTaskModule, EVERTASK_MONITOR } from '@evertask/nest';
import type { Monitor } from '@evertask/monitor';
import { engineOptions, listenPort, monitorOptions, stopOnSignals } from '../shared/tasks.js';
import { SignupController } from './signup.controller.js';

const monitor = monitorOptions(undefined);

@Module({
  imports: [EverTaskModule.forRoot({ engine: engineOptions(), monitor })],
  controllers: [SignupController],
})
class AppModule {}

const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ['error', 'warn'] });
// mounted before Nest's body parser (which is added at listen), requests outside /evertask pass on
app.use(app.get<Monitor>(EVERTASK_MONITOR).handler);
await app.listen(listenPort(), '127.0.0.1');
console.log(`listening on ${await app.getUrl()}`);
stopOnSignals(() => app.close());
