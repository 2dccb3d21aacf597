import type { ExecutionTimeBucket } from '@evertask/monitor';
import { BarChart } from '../components/BarChart';
import { formatDuration } from '../format';

/** Average execution time per hour or day as bars; the tallest bar's time is named below. */
export function ExecutionTimeChart({ buckets, daily }: { buckets: ExecutionTimeBucket[]; daily: boolean }) {
  const slowest = Math.max(0, ...buckets.map((bucket) => bucket.avgExecutionTimeMs ?? 0));
  return (
    <>
      <BarChart
        title="Average execution time"
        bars={buckets.map((bucket) => ({
          label: daily
            ? new Date(bucket.timestamp).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
            : new Date(bucket.timestamp).toLocaleTimeString(undefined, { hour: '2-digit' }),
          parts: [{ value: bucket.avgExecutionTimeMs ?? 0, className: 'bar-time' }],
        }))}
      />
      <p className="legend">slowest {formatDuration(slowest)} · {buckets.reduce((sum, bucket) => sum + bucket.sampleSize, 0)} completed run(s) averaged</p>
    </>
  );
}
