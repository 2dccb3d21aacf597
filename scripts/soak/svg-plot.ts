import type { SoakSample } from './soak-stats.js';

/** One line of a panel. */
interface Series {
  label: string;
  color: string;
  values: readonly { x: number; y: number }[];
}

interface Panel {
  title: string;
  unit: string;
  series: Series[];
}

const WIDTH = 860;
const PANEL_HEIGHT = 170;
const MARGIN = { left: 62, right: 150, top: 28, bottom: 26 };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round step giving about `ticks` intervals over `span`. */
function niceStep(span: number, ticks: number): number {
  const raw = span / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

function format(n: number): string {
  return Math.abs(n) >= 100 || Number.isInteger(n) ? n.toFixed(0) : n.toFixed(1);
}

function panelSvg(panel: Panel, top: number, xMax: number): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const all = panel.series.flatMap((s) => s.values.map((v) => v.y));
  const yMax = Math.max(1e-9, ...all) * 1.1;
  const yStep = niceStep(yMax, 4);
  const xStep = niceStep(xMax, 8);
  const x = (v: number) => MARGIN.left + (v / xMax) * plotW;
  const y = (v: number) => top + MARGIN.top + plotH - (v / (Math.ceil(yMax / yStep) * yStep)) * plotH;
  const parts: string[] = [`<text x="${MARGIN.left}" y="${top + 18}" font-weight="bold">${escapeXml(`${panel.title} (${panel.unit})`)}</text>`];
  for (let v = 0; v <= Math.ceil(yMax / yStep) * yStep + 1e-9; v += yStep) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${format(v)}</text>`);
  }
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    parts.push(`<text x="${x(v).toFixed(1)}" y="${top + PANEL_HEIGHT - 8}" text-anchor="middle">${format(v)}</text>`);
  }
  for (const [i, s] of panel.series.entries()) {
    if (s.values.length > 0) {
      const d = s.values.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.2"/>`);
    }
    const ly = top + MARGIN.top + 12 + i * 16;
    parts.push(`<line x1="${WIDTH - MARGIN.right + 10}" x2="${WIDTH - MARGIN.right + 28}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right + 32}" y="${ly}">${escapeXml(s.label)}</text>`);
  }
  return parts.join('\n');
}

function series(samples: readonly SoakSample[], label: string, color: string, pick: (s: SoakSample) => number | undefined): Series {
  return { label, color, values: samples.flatMap((s) => (pick(s) === undefined ? [] : [{ x: s.t / 60, y: pick(s) as number }])) };
}

/** An SVG of the run: RSS, V8 heap, event-loop delay, throughput and stored tasks against minutes. */
export function soakSvg(title: string, samples: readonly SoakSample[]): string {
  const panels: Panel[] = [
    { title: 'Resident set size', unit: 'MB', series: [series(samples, 'RSS', '#1f77b4', (s) => s.rssMb)] },
    {
      title: 'V8 heap',
      unit: 'MB',
      series: [series(samples, 'heap used', '#ff7f0e', (s) => s.heapUsedMb), series(samples, 'live heap (after GC)', '#2ca02c', (s) => s.liveHeapMb)],
    },
    {
      title: 'Event-loop delay per second',
      unit: 'ms',
      series: [series(samples, 'p99', '#9467bd', (s) => s.lagP99Ms), series(samples, 'max', '#d62728', (s) => s.lagMaxMs)],
    },
    { title: 'Throughput', unit: 'tasks/s', series: [series(samples, 'finished', '#17becf', (s) => s.throughput)] },
    { title: 'Tasks stored', unit: 'rows', series: [series(samples, 'tasks table', '#8c564b', (s) => s.storedTasks)] },
  ];
  const xMax = Math.max(1 / 60, ...samples.map((s) => s.t / 60));
  const height = 30 + panels.length * PANEL_HEIGHT + 20;
  const body = panels.map((p, i) => panelSvg(p, 30 + i * PANEL_HEIGHT, xMax)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    body,
    `<text x="${MARGIN.left + (WIDTH - MARGIN.left - MARGIN.right) / 2}" y="${height - 6}" text-anchor="middle">minutes</text>`,
    '</svg>',
    '',
  ].join('\n');
}
