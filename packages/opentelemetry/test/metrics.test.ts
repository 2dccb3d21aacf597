import { afterEach, describe, expect, it } from 'vitest';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import { EverTask, MemoryStorage, defineTask, noRetry, silentLogger } from 'evertask';
import { openTelemetry, type OpenTelemetryOptions } from '../src/index.js';
import { memoryMetrics, metric } from './support/telemetry.js';
import { waitFor } from '../../evertask/test/support/wait-for.js';

const engines: EverTask[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop({ closeStorage: true, timeout: 0 });
});

type Point = DataPoint<number | Histogram>;

function pointsOf(points: readonly Point[], attributes: Record<string, string>): Point[] {
  return points.filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
}

describe('metrics', () => {
  it('counts outcomes and records start latency and duration per task and queue', async () => {
    const meters = memoryMetrics();
    const ok = defineTask({ name: 'ok', handler: async (_p: object) => new Promise((r) => setTimeout(r, 5)) });
    const bad = defineTask({
      name: 'bad',
      retry: noRetry(),
      handler: (_p: object) => {
        throw new Error('no');
      },
    });
    const e = new EverTask({ tasks: [ok, bad], logger: silentLogger, queues: { mail: {} }, instrumentation: openTelemetry({ meterProvider: meters.provider, traces: false }) });
    engines.push(e);
    await e.start();
    let finished = 0;
    e.on('task:completed', () => finished++);
    e.on('task:failed', () => finished++);
    await e.dispatchMany(ok, [{}, {}, {}]);
    await e.dispatch(ok, {}, { queue: 'mail' });
    await e.dispatch(bad, {});
    await waitFor(() => finished === 5, 10_000, 'five outcomes');
    const all = await meters.collect();

    const outcomes = metric(all, 'evertask.task.outcomes').dataPoints as Point[];
    expect(pointsOf(outcomes, { 'evertask.task.name': 'ok', 'evertask.queue': 'default', 'evertask.outcome': 'completed' })[0]?.value).toBe(3);
    expect(pointsOf(outcomes, { 'evertask.task.name': 'ok', 'evertask.queue': 'mail', 'evertask.outcome': 'completed' })[0]?.value).toBe(1);
    expect(pointsOf(outcomes, { 'evertask.task.name': 'bad', 'evertask.outcome': 'failed' })[0]?.value).toBe(1);

    const duration = metric(all, 'evertask.task.duration');
    expect(duration.descriptor.unit).toBe('s');
    const okDurations = pointsOf(duration.dataPoints as Point[], { 'evertask.task.name': 'ok', 'evertask.queue': 'default' })[0]?.value as Histogram;
    expect(okDurations.count).toBe(3);
    // each attempt waited on a 5 ms timer
    expect(okDurations.min).toBeGreaterThanOrEqual(0.004);

    const latency = metric(all, 'evertask.task.start_latency');
    const latencies = latency.dataPoints as Point[];
    expect(latencies.reduce((sum, p) => sum + (p.value as Histogram).count, 0)).toBe(5);
    expect(pointsOf(latencies, { 'evertask.task.name': 'bad' })[0]?.attributes['evertask.outcome']).toBeUndefined();
  });

  it('observes the queue depth per queue and status from the storage, zero for an empty queue', async () => {
    const meters = memoryMetrics();
    const later = defineTask({ name: 'later', handler: (_p: object) => undefined });
    const storage = new MemoryStorage();
    // counts the storage reads the gauge makes
    let counts = 0;
    const count = storage.count.bind(storage);
    storage.count = (filter) => {
      counts++;
      return count(filter);
    };
    const e = new EverTask({ storage, tasks: [later], logger: silentLogger, queues: { reports: {} }, instrumentation: openTelemetry({ meterProvider: meters.provider, traces: false }) });
    engines.push(e);
    await e.start();
    await e.dispatchMany(later, [{}, {}], { delay: '1h' });
    await e.dispatch(later, {}, { delay: '1h', queue: 'reports' });
    const depth = metric(await meters.collect(), 'evertask.queue.depth');
    const points = depth.dataPoints as Point[];
    expect(pointsOf(points, { 'evertask.queue': 'default', 'evertask.task.status': 'waiting' })[0]?.value).toBe(2);
    expect(pointsOf(points, { 'evertask.queue': 'reports', 'evertask.task.status': 'waiting' })[0]?.value).toBe(1);
    expect(pointsOf(points, { 'evertask.queue': 'recurring', 'evertask.task.status': 'waiting' })[0]?.value).toBe(0);
    expect(pointsOf(points, { 'evertask.queue': 'default', 'evertask.task.status': 'queued' })[0]?.value).toBe(0);

    expect(counts).toBe(1);

    // after stop() the gauge no longer reads the storage
    await e.stop();
    await meters.collect();
    expect(counts).toBe(1);
    // and reads it again once restarted
    await e.start();
    await e.dispatch(later, {}, { delay: '1h' });
    const again = metric(await meters.collect(), 'evertask.queue.depth').dataPoints as Point[];
    expect(counts).toBe(2);
    expect(pointsOf(again, { 'evertask.queue': 'default', 'evertask.task.status': 'waiting' })[0]?.value).toBe(3);
  });

  it('with queueDepth false observes no gauge, and with metrics false records nothing', async () => {
    const job = defineTask({ name: 'job', handler: (_p: object) => undefined });
    /** Runs one task to completion on a new engine with these options; returns what was collected. */
    const runOne = async (options: OpenTelemetryOptions) => {
      const meters = memoryMetrics();
      const e = new EverTask({ tasks: [job], logger: silentLogger, instrumentation: openTelemetry({ meterProvider: meters.provider, traces: false, ...options }) });
      engines.push(e);
      await e.start();
      const done = e.once('task:completed');
      await e.dispatch(job, {});
      await done;
      return meters.collect();
    };
    const names = (await runOne({ queueDepth: false })).map((m) => m.descriptor.name);
    expect(names).toContain('evertask.task.outcomes');
    expect(names).not.toContain('evertask.queue.depth');
    expect(await runOne({ metrics: false })).toEqual([]);
  });
});
