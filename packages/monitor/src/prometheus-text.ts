/** Labels of one sample. */
export type Labels = Readonly<Record<string, string>>;

const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Writes the Prometheus text exposition format (version 0.0.4). */
export class PrometheusText {
  readonly #lines: string[] = [];

  /** Starts a metric family: its `# HELP` and `# TYPE` lines. */
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labels: Labels, value: number): this {
    this.#lines.push(`${name}${labelText(labels)} ${numberText(value)}`);
    return this;
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

/** A labelled counter kept in memory. */
export class CounterFamily {
  readonly #values = new Map<string, { labels: Labels; value: number }>();

  add(labels: Labels, amount = 1): void {
    const key = JSON.stringify(labels);
    const entry = this.#values.get(key);
    if (entry === undefined) this.#values.set(key, { labels, value: amount });
    else entry.value += amount;
  }

  write(out: PrometheusText, name: string, help: string): void {
    out.family(name, 'counter', help);
    for (const { labels, value } of this.#values.values()) out.sample(name, labels, value);
  }
}

/** A labelled histogram with fixed upper bounds (cumulative buckets, `_sum`, `_count`). */
export class HistogramFamily {
  readonly #bounds: readonly number[];
  readonly #values = new Map<string, { labels: Labels; buckets: number[]; sum: number; count: number }>();

  constructor(bounds: readonly number[]) {
    this.#bounds = [...bounds].sort((a, b) => a - b);
  }

  observe(labels: Labels, value: number): void {
    const key = JSON.stringify(labels);
    let entry = this.#values.get(key);
    if (entry === undefined) this.#values.set(key, (entry = { labels, buckets: this.#bounds.map(() => 0), sum: 0, count: 0 }));
    for (const [index, bound] of this.#bounds.entries()) if (value <= bound) entry.buckets[index] = (entry.buckets[index] ?? 0) + 1;
    entry.sum += value;
    entry.count++;
  }

  write(out: PrometheusText, name: string, help: string): void {
    out.family(name, 'histogram', help);
    for (const { labels, buckets, sum, count } of this.#values.values()) {
      for (const [index, bound] of this.#bounds.entries()) out.sample(`${name}_bucket`, { ...labels, le: numberText(bound) }, buckets[index] ?? 0);
      out.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, count);
      out.sample(`${name}_sum`, labels, sum);
      out.sample(`${name}_count`, labels, count);
    }
  }
}
