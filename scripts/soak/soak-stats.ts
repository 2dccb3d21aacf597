/** One second of a soak run. */
export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  /** Resident set size, MB. */
  rssMb: number;
  /** V8 heap used at the sample, MB (includes garbage not yet collected). */
  heapUsedMb: number;
  /** V8 heap used just after a full collection, MB: the live heap. Only on the seconds that measure it. */
  liveHeapMb?: number;
  /** Event-loop delay over the second, ms: 99th percentile and maximum (perf_hooks.monitorEventLoopDelay). */
  lagP99Ms: number;
  lagMaxMs: number;
  /** Tasks finished (completed or failed for good) during the second. */
  throughput: number;
  /** Tasks in the storage, sampled every 10 s. */
  storedTasks?: number;
}

/** The metrics of the report table, in its row order. */
export const SOAK_METRICS = ['rssMb', 'heapUsedMb', 'liveHeapMb', 'lagP99Ms', 'lagMaxMs', 'throughput', 'storedTasks'] as const;
export type SoakMetric = (typeof SOAK_METRICS)[number];

/** One row of the report: a metric at the start, middle and end, its maximum and its trend. */
export interface MetricSummary {
  metric: SoakMetric;
  start: number;
  middle: number;
  end: number;
  max: number;
  /** Least-squares slope over the second half of the run, per minute. */
  slopePerMinute: number;
}

/** Least-squares slope of `y` against `x` (units of y per unit of x); 0 with fewer than two points. */
export function leastSquaresSlope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Mean of the samples' values within ±window seconds of `t` (so one noisy second does not stand for the start or end). */
function around(points: readonly { x: number; y: number }[], t: number, window: number): number {
  const near = points.filter((p) => Math.abs(p.x - t) <= window);
  const used = near.length > 0 ? near : [points.reduce((a, b) => (Math.abs(b.x - t) < Math.abs(a.x - t) ? b : a))];
  return used.reduce((sum, p) => sum + p.y, 0) / used.length;
}

/** Summarises one metric; undefined when no sample carries it. */
export function summarize(samples: readonly SoakSample[], metric: SoakMetric): MetricSummary | undefined {
  const points = samples.flatMap((s) => (s[metric] === undefined ? [] : [{ x: s.t, y: s[metric] as number }]));
  if (points.length === 0) return undefined;
  const first = (points[0] as { x: number }).x;
  const last = (points[points.length - 1] as { x: number }).x;
  const half = (first + last) / 2;
  const window = Math.max(1, (last - first) / 60);
  return {
    metric,
    start: around(points, first, window),
    middle: around(points, half, window),
    end: around(points, last, window),
    max: Math.max(...points.map((p) => p.y)),
    slopePerMinute: leastSquaresSlope(points.filter((p) => p.x >= half)) * 60,
  };
}

/** Every metric that was sampled, in table order. */
export function summarizeAll(samples: readonly SoakSample[]): MetricSummary[] {
  return SOAK_METRICS.flatMap((metric) => summarize(samples, metric) ?? []);
}
