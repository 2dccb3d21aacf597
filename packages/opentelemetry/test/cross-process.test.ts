import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { EverTask, defineTask, silentLogger } from 'evertask';
import { PostgresStorage } from '@evertask/postgres';
import { PG_URL, describeWithPostgres, dropSchemas, testSchema } from '../../postgres/test/pg-test-helpers.js';
import { waitFor } from '../../evertask/test/support/wait-for.js';
import { openTelemetry } from '../src/index.js';
import { memoryTracing } from './support/telemetry.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..');
const schema = testSchema(import.meta.url);
const describePg = await describeWithPostgres();

describePg('trace context across processes on PostgreSQL', () => {
  afterAll(() => dropSchemas(schema));

  // a child process under tsx starts slowly on a loaded machine: generous timeouts
  it('an attempt in this process is the child of the dispatch span of another process', { timeout: 180_000 }, async () => {
    const tracing = memoryTracing();
    const invoice = defineTask({ name: 'invoice', handler: (_payload: { order: number }) => undefined });
    const engine = new EverTask({
      storage: new PostgresStorage({ connectionString: PG_URL, schema }),
      tasks: [invoice],
      logger: silentLogger,
      instrumentation: openTelemetry({ tracerProvider: tracing.provider, metrics: false }),
      sweepInterval: '200ms',
    });
    await engine.start();
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--conditions=evertask-source', '--import', 'tsx', join(here, 'fixtures', 'dispatching-process.ts'), JSON.stringify({ connectionString: PG_URL, schema })],
        { cwd: repoRoot, timeout: 120_000 },
      );
      const child = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { taskId: string; pid: number; traceId: string; spanId: string; requestSpanId: string; dispatchParent: string };
      expect(child.pid).not.toBe(process.pid);
      expect(child.dispatchParent).toBe(child.requestSpanId);
      await waitFor(() => tracing.spans('run invoice').length === 1, 60_000, 'the attempt span of the task the other process dispatched');
      const [run] = tracing.spans('run invoice');
      expect(run?.kind).toBe(SpanKind.CONSUMER);
      expect(run?.spanContext().traceId).toBe(child.traceId);
      expect(run?.parentSpanContext).toMatchObject({ spanId: child.spanId, isRemote: true });
      expect(run?.links.map((l) => l.context.spanId)).toEqual([child.spanId]);
      expect(run?.attributes).toMatchObject({ 'evertask.task.id': child.taskId, 'evertask.outcome': 'completed', 'evertask.instance.id': engine.instanceId });
      // the trace context is in the row, as the other process stored it
      const stored = await engine.storage.get(child.taskId);
      expect(JSON.parse(stored?.traceContext ?? '{}')).toEqual({ traceparent: `00-${child.traceId}-${child.spanId}-01` });
    } finally {
      await engine.stop({ closeStorage: true });
    }
  });
});
