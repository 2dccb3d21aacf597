import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode, trace, type TextMapPropagator } from '@opentelemetry/api';
import { EverTask, MemoryStorage, defineTask, noRetry, linearRetry, silentLogger, uuidv7, type TaskInstrumentation, type TaskStorage } from 'evertask';
import { SqliteStorage } from '@evertask/sqlite';
import { formatTraceparent, openTelemetry, parseTraceparent } from '../src/index.js';
import { memoryTracing } from './support/telemetry.js';
import { waitFor } from '../../evertask/test/support/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'evertask-otel-spans-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const engines: EverTask[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop({ closeStorage: true, timeout: 0 });
});

function engine(instrumentation: TaskInstrumentation, tasks: ConstructorParameters<typeof EverTask>[0]['tasks'], storage: TaskStorage = new MemoryStorage()): EverTask {
  const e = new EverTask({ storage, tasks, logger: silentLogger, instrumentation, sweepInterval: '50ms' });
  engines.push(e);
  return e;
}

describe('dispatch and attempt spans', () => {
  it('makes the dispatch a PRODUCER child of the caller and the attempt a CONSUMER child of the dispatch, current in the handler', async () => {
    const tracing = memoryTracing();
    const tracer = tracing.provider.getTracer('test');
    const inner = defineTask({
      name: 'send-mail',
      handler: async (_payload: { to: string }) => {
        // a span the handler makes nests under the attempt span
        await tracer.startActiveSpan('smtp', async (span) => {
          await new Promise((r) => setImmediate(r));
          span.end();
        });
      },
    });
    const e = engine(openTelemetry({ tracerProvider: tracing.provider, metrics: false }), [inner]);
    await e.start();
    const id = await tracer.startActiveSpan('POST /signup', async (request) => {
      const taskId = await e.dispatch(inner, { to: 'a@b.c' });
      request.end();
      return taskId;
    });
    await waitFor(() => tracing.spans('run send-mail').length === 1, 10_000, 'the attempt span');
    await waitFor(() => tracing.spans('smtp').length === 1, 10_000, 'the handler span');
    const [request] = tracing.spans('POST /signup');
    const [dispatch] = tracing.spans('dispatch send-mail');
    const [attempt] = tracing.spans('run send-mail');
    const [smtp] = tracing.spans('smtp');
    expect(dispatch?.kind).toBe(SpanKind.PRODUCER);
    expect(dispatch?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(dispatch?.attributes).toMatchObject({
      'messaging.system': 'evertask',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'default',
      'evertask.task.name': 'send-mail',
      'evertask.task.id': id,
      'evertask.queue': 'default',
    });
    expect(attempt?.kind).toBe(SpanKind.CONSUMER);
    expect(attempt?.spanContext().traceId).toBe(request?.spanContext().traceId);
    expect(attempt?.parentSpanContext?.spanId).toBe(dispatch?.spanContext().spanId);
    expect(attempt?.links.map((l) => l.context.spanId)).toEqual([dispatch?.spanContext().spanId]);
    expect(attempt?.attributes).toMatchObject({
      'evertask.task.name': 'send-mail',
      'evertask.task.id': id,
      'evertask.queue': 'default',
      'evertask.attempt': 1,
      'evertask.outcome': 'completed',
      'evertask.will_retry': false,
      'evertask.instance.id': e.instanceId,
    });
    expect(attempt?.status.code).toBe(SpanStatusCode.UNSET);
    expect(smtp?.parentSpanContext?.spanId).toBe(attempt?.spanContext().spanId);
    // the stored trace context is the dispatch span's traceparent
    const stored = await e.storage.get(id);
    const carrier = JSON.parse(stored?.traceContext ?? 'null') as { traceparent: string };
    expect(parseTraceparent(carrier.traceparent, undefined)?.spanId).toBe(dispatch?.spanContext().spanId);
  });

  it('records each attempt with its outcome: retry, then failed, the exception on both', async () => {
    const tracing = memoryTracing();
    const flaky = defineTask({
      name: 'flaky',
      retry: linearRetry(1, 1),
      handler: (_p: object) => {
        throw new TypeError('smtp down');
      },
    });
    const e = engine(openTelemetry({ tracerProvider: tracing.provider, metrics: false }), [flaky]);
    await e.start();
    await e.dispatch(flaky, {});
    await waitFor(() => tracing.spans('run flaky').length === 2, 10_000, 'two attempt spans');
    const attempts = tracing.spans('run flaky').sort((a, b) => Number(a.attributes['evertask.attempt']) - Number(b.attributes['evertask.attempt']));
    expect(attempts.map((s) => [s.attributes['evertask.attempt'], s.attributes['evertask.outcome'], s.attributes['evertask.will_retry']])).toEqual([
      [1, 'retry', true],
      [2, 'failed', false],
    ]);
    for (const span of attempts) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'smtp down' });
      expect(span.attributes['error.type']).toBe('TypeError');
      expect(span.events.find((ev) => ev.name === 'exception')?.attributes?.['exception.message']).toBe('smtp down');
    }
    // both attempts are children of the one dispatch
    const [dispatch] = tracing.spans('dispatch flaky');
    expect(new Set(attempts.map((s) => s.parentSpanContext?.spanId))).toEqual(new Set([dispatch?.spanContext().spanId]));
  });

  it('records a timeout and a cancel as such', async () => {
    const tracing = memoryTracing();
    const slow = defineTask({
      name: 'slow',
      retry: noRetry(),
      timeout: 50,
      // settles a moment after its signal, so the timeout is what ends the attempt
      handler: (_p: object, ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => setTimeout(resolve, 20))),
    });
    const stuck = defineTask({
      name: 'stuck',
      handler: (_p: object, ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve())),
    });
    const e = engine(openTelemetry({ tracerProvider: tracing.provider, metrics: false }), [slow, stuck]);
    await e.start();
    await e.dispatch(slow, {});
    const started = e.once('task:started', (ev) => ev.taskName === 'stuck');
    const stuckId = await e.dispatch(stuck, {});
    await started;
    expect(await e.cancel(stuckId)).toBe(true);
    await waitFor(() => tracing.spans('run slow').length === 1 && tracing.spans('run stuck').length === 1, 10_000, 'both attempt spans');
    const [timedOut] = tracing.spans('run slow');
    const [cancelled] = tracing.spans('run stuck');
    expect(timedOut?.attributes['evertask.outcome']).toBe('timeout');
    expect(timedOut?.status.code).toBe(SpanStatusCode.ERROR);
    expect(cancelled?.attributes['evertask.outcome']).toBe('cancelled');
    expect(cancelled?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records an attempt interrupted by stop() as stopped, not as an error', async () => {
    const tracing = memoryTracing();
    const long = defineTask({
      name: 'long',
      handler: (_p: object, ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => setTimeout(resolve, 20))),
    });
    const e = engine(openTelemetry({ tracerProvider: tracing.provider, metrics: false }), [long]);
    await e.start();
    const started = e.once('task:started');
    await e.dispatch(long, {});
    await started;
    await e.stop({ timeout: 0 });
    await waitFor(() => tracing.spans('run long').length === 1, 10_000, 'the attempt span');
    const [run] = tracing.spans('run long');
    expect(run?.attributes['evertask.outcome']).toBe('stopped');
    expect(run?.attributes['evertask.will_retry']).toBe(false);
    expect(run?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('makes one dispatch span for a dispatchMany batch, which every attempt descends from', async () => {
    const tracing = memoryTracing();
    const bulk = defineTask({ name: 'bulk', handler: (_p: object) => undefined });
    const e = engine(openTelemetry({ tracerProvider: tracing.provider, metrics: false }), [bulk]);
    await e.start();
    const ids = await e.dispatchMany(bulk, [{}, {}, {}]);
    await waitFor(() => tracing.spans('run bulk').length === 3, 10_000, 'three attempt spans');
    const [dispatch] = tracing.spans('dispatch bulk');
    expect(tracing.spans('dispatch bulk')).toHaveLength(1);
    expect(dispatch?.attributes['messaging.batch.message_count']).toBe(3);
    const runs = tracing.spans('run bulk');
    expect(runs.map((s) => s.attributes['evertask.task.id']).sort()).toEqual([...ids].sort());
    for (const run of runs) expect(run.parentSpanContext?.spanId).toBe(dispatch?.spanContext().spanId);
  });

  it('with attemptParent "link" starts a new trace linked to the dispatch', async () => {
    const tracing = memoryTracing();
    const job = defineTask({ name: 'linked', handler: (_p: object) => undefined });
    const e = engine(openTelemetry({ tracerProvider: tracing.provider, metrics: false, attemptParent: 'link' }), [job]);
    await e.start();
    await e.dispatch(job, {});
    await waitFor(() => tracing.spans('run linked').length === 1, 10_000, 'the attempt span');
    const [dispatch] = tracing.spans('dispatch linked');
    const [run] = tracing.spans('run linked');
    expect(run?.parentSpanContext).toBeUndefined();
    expect(run?.spanContext().traceId).not.toBe(dispatch?.spanContext().traceId);
    expect(run?.links[0]?.context.spanId).toBe(dispatch?.spanContext().spanId);
  });

  it('stores and reads the trace context with a given propagator', async () => {
    const tracing = memoryTracing();
    // an application propagator with its own header (and one field of baggage-like data)
    const propagator: TextMapPropagator<Record<string, string>> = {
      inject(ctx, carrier) {
        const spanContext = trace.getSpanContext(ctx);
        if (spanContext) carrier['x-trace'] = formatTraceparent(spanContext);
        carrier['x-tenant'] = 'acme';
      },
      extract(ctx, carrier) {
        const spanContext = parseTraceparent(carrier['x-trace'], undefined);
        return spanContext ? trace.setSpanContext(ctx, spanContext) : ctx;
      },
      fields: () => ['x-trace', 'x-tenant'],
    };
    const job = defineTask({ name: 'propagated', handler: (_p: object) => undefined });
    const e = engine(openTelemetry({ tracerProvider: tracing.provider, metrics: false, propagator }), [job]);
    await e.start();
    const id = await e.dispatch(job, {});
    await waitFor(() => tracing.spans('run propagated').length === 1, 10_000, 'the attempt span');
    const [dispatch] = tracing.spans('dispatch propagated');
    expect(JSON.parse((await e.storage.get(id))?.traceContext ?? '{}')).toEqual({ 'x-trace': `00-${dispatch?.spanContext().traceId}-${dispatch?.spanContext().spanId}-01`, 'x-tenant': 'acme' });
    expect(tracing.spans('run propagated')[0]?.parentSpanContext?.spanId).toBe(dispatch?.spanContext().spanId);
  });

  it('records a failed dispatch on its span', async () => {
    const tracing = memoryTracing();
    const job = defineTask({ name: 'keyed', handler: (_p: object) => undefined });
    const e = engine(openTelemetry({ tracerProvider: tracing.provider, metrics: false }), [job]);
    await e.start();
    await expect(e.dispatch(job, { big: 'x'.repeat(2_000_000) })).rejects.toThrow(/maxPayloadBytes/);
    // refused before anything was stored: no span either
    expect(tracing.spans('dispatch keyed')).toHaveLength(0);
    await e.storage.close();
    await expect(e.dispatch(job, {}, { delay: '1h' })).rejects.toThrow();
    await waitFor(() => tracing.spans('dispatch keyed').length === 1, 10_000, 'the dispatch span');
    expect(tracing.spans('dispatch keyed')[0]?.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe('across engines on one SQLite file', () => {
  it('the engine that runs the task continues the trace of the engine that dispatched it', async () => {
    const file = join(dir, 'shared.db');
    const producer = memoryTracing();
    const consumer = memoryTracing();
    const report = defineTask({ name: 'report', handler: async (_p: object) => undefined });
    const a = engine(openTelemetry({ tracerProvider: producer.provider, metrics: false }), [report], new SqliteStorage({ filename: file }));
    await a.start();
    const id = await producer.provider.getTracer('test').startActiveSpan('cron tick', async (span) => {
      const taskId = await a.dispatch(report, {}, { delay: '400ms' });
      span.end();
      return taskId;
    });
    await a.stop({ closeStorage: true });
    engines.splice(engines.indexOf(a), 1);
    const b = engine(openTelemetry({ tracerProvider: consumer.provider, metrics: false }), [report], new SqliteStorage({ filename: file }));
    await b.start();
    await waitFor(() => consumer.spans('run report').length === 1, 15_000, 'the attempt span in the second engine');
    const [dispatch] = producer.spans('dispatch report');
    const [run] = consumer.spans('run report');
    expect(producer.spans('run report')).toHaveLength(0);
    expect(run?.spanContext().traceId).toBe(dispatch?.spanContext().traceId);
    expect(run?.parentSpanContext).toMatchObject({ spanId: dispatch?.spanContext().spanId, isRemote: true });
    expect(run?.attributes['evertask.task.id']).toBe(id);
    expect(run?.attributes['evertask.instance.id']).toBe(b.instanceId);
  });
});

describe('a failing instrumentation', () => {
  it('never fails a dispatch or a task: its throws are logged and the engine carries on', async () => {
    const errors: string[] = [];
    const broken: TaskInstrumentation = {
      startDispatch: () => {
        throw new Error('exporter exploded');
      },
      startAttempt: () => ({
        run: (fn) => fn(),
        end: () => {
          throw new Error('end exploded');
        },
      }),
    };
    const job = defineTask({ name: 'sturdy', handler: (_p: object) => undefined });
    const e = new EverTask({
      tasks: [job],
      instrumentation: broken,
      logger: { ...silentLogger, error: (message: string) => errors.push(message) },
    });
    engines.push(e);
    await e.start();
    const done = e.once('task:completed');
    const id = await e.dispatch(job, {});
    await done;
    expect((await e.getTask(id))?.status).toBe('completed');
    expect((await e.getTask(id))?.id).toBe(id);
    expect(errors.some((m) => m.includes('instrumentation.startDispatch threw') && m.includes('exporter exploded'))).toBe(true);
    expect(errors.some((m) => m.includes('instrumentation.attempt end threw') && m.includes('end exploded'))).toBe(true);
  });

  it('drops a trace context that is not short text, and says so', async () => {
    const errors: string[] = [];
    const job = defineTask({ name: 'huge-context', handler: (_p: object) => undefined });
    const e = new EverTask({
      tasks: [job],
      instrumentation: { startDispatch: () => ({ traceContext: 'x'.repeat(5000), end() {} }), startAttempt: () => ({ run: (fn) => fn(), end() {} }) },
      logger: { ...silentLogger, error: (message: string) => errors.push(message) },
    });
    engines.push(e);
    await e.start();
    const id = await e.dispatch(job, {}, { delay: '1h' });
    expect((await e.storage.get(id))?.traceContext).toBeNull();
    expect(errors.some((m) => m.includes('at most 4096 characters'))).toBe(true);
  });
});

describe('trace context codec', () => {
  it('parses only valid traceparent headers', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'a=1')).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    for (const bad of ['', 'nonsense', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 42, null]) {
      expect(parseTraceparent(bad, undefined)).toBeUndefined();
    }
  });

  it('runs a task whose stored trace context is unreadable as a new trace', async () => {
    const tracing = memoryTracing();
    const job = defineTask({ name: 'orphan', handler: (_p: object) => undefined });
    // a storage other processes share, so that the engine's sweep finds the row added below
    const storage = new SqliteStorage({ filename: join(dir, 'orphan.db') });
    const e = engine(openTelemetry({ tracerProvider: tracing.provider, metrics: false }), [job], storage);
    await e.start();
    const id = await trace.getTracer('none').startActiveSpan('x', async (span) => {
      span.end();
      return e.dispatch(job, {}, { delay: '1h' });
    });
    // a trace context another tool wrote, not JSON: the attempt still runs, in a trace of its own
    const stored = await storage.get(id);
    if (!stored) throw new Error('the dispatched task is not stored');
    await storage.add([{ ...stored, id: uuidv7(), traceContext: 'not json', dueAt: Date.now() }]);
    await waitFor(() => tracing.spans('run orphan').length === 1, 10_000, 'the attempt span');
    expect(tracing.spans('run orphan')[0]?.parentSpanContext).toBeUndefined();
    expect(tracing.spans('run orphan')[0]?.links).toEqual([]);
  });
});

describe('openTelemetry options', () => {
  it('refuses bad options, naming the option and the fix', () => {
    expect(() => openTelemetry({ tracerProvider: 5 as never })).toThrow(/"tracerProvider" must be an object with a getTracer\(\) method.*received number 5/);
    expect(() => openTelemetry({ meterProvider: {} as never })).toThrow(/"meterProvider" must be an object with a getMeter\(\) method/);
    expect(() => openTelemetry({ traces: 'yes' as never })).toThrow(/"traces" must be true or false; received "yes"/);
    expect(() => openTelemetry({ attemptParent: 'child' as never })).toThrow(/'parent' or 'link'; received "child"/);
    expect(() => openTelemetry({ propagator: {} as never })).toThrow(/TextMapPropagator/);
    expect(() => openTelemetry({ tracer: 1 } as never)).toThrow(/"tracer" is unknown/);
    expect(() => openTelemetry(null as never)).toThrow(/takes an options object; received null/);
    expect(() => new EverTask({ tasks: [], instrumentation: { startDispatch() {} } as never })).toThrow(/"instrumentation" must be an object with startDispatch and startAttempt/);
  });
});
