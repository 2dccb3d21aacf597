import { useState } from 'react';
import type { TimeRange } from '@evertask/monitor';
import { api } from '../api/client';
import { useResource } from '../api/use-resource';
import { LoadState } from '../components/LoadState';
import { BarChart } from '../components/BarChart';
import { LineChart } from '../components/LineChart';
import { StatusDistribution } from '../components/StatusDistribution';
import { ActivityList } from './ActivityList';
import { ExecutionTimeChart } from './ExecutionTimeChart';
import { formatDuration, formatPercent } from '../format';

const RANGES: TimeRange[] = ['today', 'week', 'month', 'all'];

/** Totals, the three charts and the latest activity; refreshed every 5 s. */
export function OverviewView() {
  const [range, setRange] = useState<TimeRange>('today');
  const overview = useResource(() => api.overview(range), range, 5000);
  const trend = useResource(() => api.successRateTrend(), 'trend', 30_000);
  const executionTimes = useResource(() => api.executionTimes(range), `times-${range}`, 30_000);
  return (
    <section>
      <header className="view-header">
        <h1>Overview</h1>
        <div className="segmented" role="group" aria-label="Range">
          {RANGES.map((option) => <button type="button" key={option} aria-pressed={option === range} onClick={() => setRange(option)}>{option}</button>)}
        </div>
      </header>
      <LoadState resource={overview}>
        {(data) => (
          <>
            <div className="tiles">
              <div className="tile"><span>Tasks ({data.range})</span><strong>{data.totalTasksInRange}</strong></div>
              <div className="tile"><span>Success rate</span><strong>{formatPercent(data.successRate)}</strong></div>
              <div className="tile"><span>Failed</span><strong>{data.failedCount}</strong></div>
              <div className="tile"><span>Avg. execution</span><strong>{formatDuration(data.avgExecutionTimeMs)}</strong></div>
              <div className="tile"><span>Throttled</span><strong>{data.throttledTasks}</strong></div>
            </div>
            <div className="grid-2">
              <div className="card">
                <h2>Tasks over the last 24 hours</h2>
                <BarChart
                  title="Tasks created per hour: completed, failed, other"
                  bars={data.tasksOverTime.map((bucket) => ({
                    label: new Date(bucket.timestamp).toLocaleTimeString(undefined, { hour: '2-digit' }),
                    parts: [
                      { value: bucket.completed, className: 'bar-completed' },
                      { value: bucket.failed, className: 'bar-failed' },
                      { value: Math.max(0, bucket.total - bucket.completed - bucket.failed), className: 'bar-other' },
                    ],
                  }))}
                />
                <p className="legend"><i className="bar-completed" /> completed <i className="bar-failed" /> failed <i className="bar-other" /> other</p>
              </div>
              <div className="card">
                <h2>Status distribution</h2>
                <StatusDistribution counts={data.statusDistribution} />
              </div>
            </div>
            <div className="grid-2">
              <div className="card">
                <h2>Success rate, last 7 days</h2>
                <LoadState resource={trend}>
                  {(series) => (
                    <LineChart
                      title="Success rate per day"
                      points={series.timestamps.map((timestamp, index) => ({
                        label: new Date(timestamp).toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
                        value: series.successRates[index] ?? null,
                      }))}
                    />
                  )}
                </LoadState>
              </div>
              <div className="card">
                <h2>Average execution time ({range === 'today' ? 'by hour' : 'by day'})</h2>
                <LoadState resource={executionTimes}>
                  {(buckets) => <ExecutionTimeChart buckets={buckets} daily={range !== 'today'} />}
                </LoadState>
              </div>
            </div>
            <div className="card">
              <h2>Recent activity</h2>
              <ActivityList items={data.recentActivity} />
            </div>
          </>
        )}
      </LoadState>
    </section>
  );
}
