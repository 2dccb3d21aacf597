import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface Row {
  scenario: string;
  library: string;
  metric: string;
  /** Median of the runs. */
  value: number;
  unit: string;
  runs: number[];
}

export class Report {
  readonly rows: Row[] = [];

  add(row: Row): void {
    this.rows.push(row);
    const runs = row.runs.map((r) => (row.unit === 'ms' ? r.toFixed(2) : Math.round(r))).join(', ');
    console.log(`  ${row.library.padEnd(22)} ${row.scenario.padEnd(34)} ${row.metric.padEnd(12)} ${fmt(row.value, row.unit).padStart(12)} ${row.unit}  (runs: ${runs})`);
  }

  /** Markdown table with the ratios of each library to ours for the same scenario and metric. */
  markdown(): string {
    const lines = [
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString()}`,
      '',
      '| scenario | metric | library | median | unit | ratio vs EverTask |',
      '|---|---|---|---:|---|---:|',
    ];
    for (const row of this.rows) {
      const ours = this.rows.find((r) => r.scenario === row.scenario && r.metric === row.metric && r.library.startsWith('evertask'));
      let ratio = '';
      if (ours && ours !== row && ours.value > 0 && row.value > 0) {
        const higherIsBetter = row.unit.endsWith('/s');
        ratio = (higherIsBetter ? ours.value / row.value : row.value / ours.value).toFixed(2) + '×';
      }
      lines.push(`| ${row.scenario} | ${row.metric} | ${row.library} | ${fmt(row.value, row.unit)} | ${row.unit} | ${ratio} |`);
    }
    return lines.join('\n');
  }

  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    writeFileSync(`${dir}/bench-${stamp}.json`, JSON.stringify(this.rows, null, 2));
    writeFileSync(`${dir}/bench-${stamp}.md`, this.markdown() + '\n');
    console.log(`\nSaved ${dir}/bench-${stamp}.md`);
  }
}

function fmt(value: number, unit: string): string {
  return unit === 'ms' ? value.toFixed(2) : Math.round(value).toLocaleString('en-US');
}
