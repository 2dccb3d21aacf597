/**
 * The OpenTelemetry SDK as the tests use it: in-memory exporters, the AsyncLocalStorage context
 * manager registered once per test process, and helpers to read the finished spans and metrics.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

let contextManagerSet = false;

/** Registers the AsyncLocalStorage context manager (once per process). */
export function useAsyncContext(): void {
  if (contextManagerSet) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerSet = true;
}

/** A tracer provider whose finished spans are kept in memory (one per simulated process). */
export function memoryTracing(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter; spans: (name?: string) => ReadableSpan[] } {
  useAsyncContext();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = (name?: string) => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name);
  return { provider, exporter, spans };
}

/** A meter provider exported only when `collect()` is called (never on a timer). */
export function memoryMetrics(): { provider: MeterProvider; collect: () => Promise<MetricData[]> } {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 2_000_000_000, exportTimeoutMillis: 30_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const collect = async (): Promise<MetricData[]> => {
    exporter.reset();
    await reader.forceFlush();
    return exporter.getMetrics().flatMap((batch) => batch.scopeMetrics.flatMap((scope) => scope.metrics));
  };
  return { provider, collect };
}

/** The metric of that name from a collection (throws naming the ones there when absent). */
export function metric(all: readonly MetricData[], name: string): MetricData {
  const found = all.find((m) => m.descriptor.name === name);
  if (!found) throw new Error(`no metric ${name}; collected: ${all.map((m) => m.descriptor.name).join(', ')}`);
  return found;
}
