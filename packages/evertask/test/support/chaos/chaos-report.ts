/**
 * The chaos suite's table: one row per storage and fault (violations are put under the fault last
 * injected before they happened, or "before any fault"), one column per invariant, "ok" or the
 * count of violations; then per storage the tasks, faults, kills and takeover times.
 */
import { INVARIANTS, type Violation } from './chaos-invariants.js';
import type { ChaosResult, Fault, FaultKind } from './chaos-run.js';

const SHORT: Record<(typeof INVARIANTS)[number], string> = {
  'nothing accepted is lost': 'lost',
  'no task in two processes at once': 'two at once',
  'one active task per key': 'key twice',
  'terminal state is final': 'not final',
  'audit complete and ordered': 'audit',
  'recurring occurrence fires once': 'recurring',
};

function faultOf(violation: Violation, faults: readonly Fault[]): FaultKind | 'before any fault' {
  let found: FaultKind | 'before any fault' = 'before any fault';
  for (const f of faults) if (f.at <= violation.at) found = f.kind;
  return found;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** The table and summary lines of some runs. */
export function chaosTable(results: readonly ChaosResult[]): string {
  const header = ['storage', 'fault', ...INVARIANTS.map((i) => SHORT[i])];
  const rows: string[][] = [];
  for (const r of results) {
    const kinds = ['before any fault', ...new Set(r.faults.map((f) => f.kind))] as const;
    for (const kind of kinds) {
      const count = r.faults.filter((f) => f.kind === kind).length;
      const label = kind === 'before any fault' ? kind : `${kind} ×${count}`;
      const cells = INVARIANTS.map((inv) => {
        const n = r.violations.filter((v) => v.invariant === inv && faultOf(v, r.faults) === kind).length;
        return n === 0 ? 'ok' : String(n);
      });
      rows.push([r.storage, label, ...cells]);
    }
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line), ''];
  for (const r of results) {
    const t = r.takeoverMs;
    const takeover = t.length === 0 ? 'none in flight' : `${t.length} in flight, taken over after ${t[0]}–${t.at(-1)} ms (median ${quantile(t, 0.5)})`;
    const same = r.kills.filter((k) => k.sameInstanceId).length;
    out.push(
      `${r.storage}: ${r.tasks} tasks (${r.dispatches} acknowledged dispatches, ${r.executions} executions), ` +
        `${r.kills.length} kills (${same} back under the same instance id), ` +
        `${r.faults.filter((f) => f.kind === 'connection cut').length} cuts, ${r.faults.filter((f) => f.kind === 'server restart').length} server restarts, ` +
        `clock skew ±${r.options.skewMs} ms, lease ${r.options.leaseMs} ms; ${takeover}; violations ${r.violations.length}; ${Math.round(r.wallMs / 1000)} s`,
    );
  }
  return out.join('\n');
}

/** The first violations of each invariant in a run, one a line, for a failure message. */
export function describeViolations(result: ChaosResult, perInvariant = 5): string {
  return INVARIANTS.flatMap((inv) => result.violations.filter((v) => v.invariant === inv).slice(0, perInvariant))
    .map((v) => `${v.invariant} — ${v.taskId}: ${v.detail}`)
    .join('\n');
}
