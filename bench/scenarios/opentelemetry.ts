/**
 * Suite `otel`: what `@evertask/opentelemetry` costs on the memory engine's headline workload
 * (async handlers, one `dispatch()` per task from 1,000 callers, 100k tasks at concurrency 16,
 * audit none): without the option, with `openTelemetry()` and no SDK registered (the API's no-op
 * tracer and meter), and with the SDK recording everything (a batch span processor whose exporter
 * drops the spans, a meter provider with a reader).
 */
import * as evertask from 'evertask';
import { openTelemetry } from '@evertask/opentelemetry';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { median } from '../lib/stats.js';
import type { Report } from '../lib/report.js';
import { drainOnce, type DrainSpec } from '../lib/memory-workload.js';

const LIBRARY = 'evertask (MemoryStorage)';

/** Takes the spans and drops them: the exporter's own cost is not the instrumentation's. */
class DroppingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    this.exported += spans.length;
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function recordingSdk(): { instrumentation: evertask.TaskInstrumentation; shutdown: () => Promise<void> } {
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new DroppingExporter(), { maxQueueSize: 65_536, maxExportBatchSize: 4096 })] });
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 60_000 })],
  });
  return {
    instrumentation: openTelemetry({ tracerProvider, meterProvider, queueDepth: false }),
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

const SPEC: Omit<DrainSpec, 'count'> = { handler: 'async', dispatch: 'single', concurrency: 16, inFlight: 1000, audit: 'none' };

export async function runOpenTelemetry(report: Report, runs: number): Promise<void> {
  const variants: { label: string; make: () => { instrumentation?: evertask.TaskInstrumentation; shutdown?: () => Promise<void> } }[] = [
    { label: 'no instrumentation', make: () => ({}) },
    { label: 'openTelemetry(), no SDK registered', make: () => ({ instrumentation: openTelemetry() }) },
    { label: 'openTelemetry() with the SDK recording spans and metrics', make: recordingSdk },
  ];
  for (const variant of variants) {
    const rates: number[] = [];
    const cpuRates: number[] = [];
    for (let r = -1; r < runs; r++) {
      const made = variant.make();
      const spec = { ...SPEC, count: r < 0 ? 20_000 : 100_000, ...(made.instrumentation ? { instrumentation: made.instrumentation } : {}) };
      const result = await drainOnce(evertask, spec);
      await made.shutdown?.();
      if (r >= 0) {
        rates.push(result.rate);
        cpuRates.push(result.cpuRate);
      }
    }
    const scenario = `otel: async handler, dispatch() × 1,000 in flight, 100k @ 16 (audit none), ${variant.label}`;
    report.add({ scenario, library: LIBRARY, metric: 'throughput', value: median(rates), unit: 'tasks/s', runs: rates });
    // per CPU-second of the process: less sensitive to the other jobs on the machine
    report.add({ scenario, library: LIBRARY, metric: 'throughput per CPU-s', value: median(cpuRates), unit: 'tasks/CPU-s', runs: cpuRates });
  }
}
