/**
 * The invariants the chaos suite checks after a run, from the execution ledger (what the worker
 * processes did) and the storage (each acknowledged task's final status, read twice, and its status
 * history). Each check returns its violations; none is the expected result.
 */
import { canTransition, isTerminal, type StatusAuditEntry, type TaskStatus } from 'evertask';
import type { Dispatch, Execution } from '../execution-ledger.js';

export const INVARIANTS = [
  'nothing accepted is lost',
  'no task in two processes at once',
  'one active task per key',
  'terminal state is final',
  'audit complete and ordered',
  'recurring occurrence fires once',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  invariant: Invariant;
  taskId: string;
  /** When it happened (ledger time, ms), for the fault it is put under. */
  at: number;
  detail: string;
}

/** What the storage holds of one acknowledged task at the end of a run. */
export interface StoredOutcome {
  /** Status once every task was finished; undefined when the task is not stored. */
  status: TaskStatus | undefined;
  /** Status read again a few heartbeats later (a terminal status must not have changed). */
  later: TaskStatus | undefined;
  audit: StatusAuditEntry[];
  /** For a keyed task no longer stored: the task holding its key now (a dispatch replaced it once it finished). */
  keyHolder?: string | undefined;
}

export interface ChaosEvidence {
  executions: Execution[];
  dispatches: Dispatch[];
  /** The SIGKILLed worker processes and when. */
  kills: ReadonlyMap<number, number>;
  /** The pids that lived to the end of the run (never killed). */
  survivors: ReadonlySet<number>;
  /**
   * When the storage was out of reach (a cut or a server restart, up to a lease after it ended): a
   * run then may lose its in-progress write (the engine aborts it and the task runs again).
   */
  outages: readonly { from: number; to: number }[];
  outcomes: ReadonlyMap<string, StoredOutcome>;
  seriesRuns: number;
  /** How long before its kill a process's finished run may still lack its stored outcome (the lease). */
  inFlightWindowMs: number;
}

/** When an execution stopped: its end, or the kill of its process. */
export function effectiveEnd(e: Execution, kills: ReadonlyMap<number, number>): number {
  return e.end ?? kills.get(e.pid) ?? Number.POSITIVE_INFINITY;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

/** Executions that start before an earlier one (of the same group) stopped. */
function overlaps(runs: readonly Execution[], kills: ReadonlyMap<number, number>, invariant: Invariant, label: string): Violation[] {
  const sorted = [...runs].sort((a, b) => a.start - b.start);
  const found: Violation[] = [];
  let open: Execution | undefined;
  for (const run of sorted) {
    if (open !== undefined && run.start < effectiveEnd(open, kills)) {
      found.push({ invariant, taskId: run.taskId, at: run.start, detail: `${label}: pid ${run.pid} started at ${run.start} while pid ${open.pid} ran ${open.taskId} until ${effectiveEnd(open, kills)}` });
    }
    if (open === undefined || effectiveEnd(run, kills) > effectiveEnd(open, kills)) open = run;
  }
  return found;
}

function lost(evidence: ChaosEvidence, firstAck: Map<string, number>, byTask: Map<string, Execution[]>): Violation[] {
  const found: Violation[] = [];
  for (const [taskId, at] of firstAck) {
    const outcome = evidence.outcomes.get(taskId);
    // a finished keyed task is replaced by the next dispatch of its key (only a finished one is: it ran to its end)
    const replaced = outcome?.keyHolder !== undefined && outcome.keyHolder !== taskId;
    if (outcome?.status === undefined && replaced && byTask.get(taskId)?.some((e) => e.end !== null)) continue;
    if (outcome?.status === undefined || !isTerminal(outcome.status)) {
      const notes = evidence.dispatches.filter((d) => d.taskId === taskId).map((d) => d.note);
      const runs = (byTask.get(taskId) ?? []).map((e) => `${e.note}@${e.pid}${e.end === null ? ' (no end)' : ''}`);
      found.push({ invariant: 'nothing accepted is lost', taskId, at, detail: `acknowledged as ${notes.join(', ')}, ended ${outcome?.status ?? 'not stored'}; runs: ${runs.join(', ') || 'none'}` });
    }
  }
  return found;
}

/** A change the history may show: an allowed one, or one through an unaudited claim (→ queued). */
function historyStep(from: TaskStatus, to: TaskStatus): boolean {
  return canTransition(from, to) || (canTransition(from, 'queued') && canTransition('queued', to));
}

/**
 * A task's history split into the tasks it holds: a keyed task that replaced a finished one holds
 * that one's rows first (`TaskStorage.replace`), so a segment ends at each terminal row.
 */
function segments(audit: readonly StatusAuditEntry[]): StatusAuditEntry[][] {
  const parts: StatusAuditEntry[][] = [[]];
  for (const row of audit) {
    (parts.at(-1) as StatusAuditEntry[]).push(row);
    if (isTerminal(row.status)) parts.push([]);
  }
  return parts.filter((p) => p.length > 0);
}

function finality(evidence: ChaosEvidence, firstAck: Map<string, number>): Violation[] {
  const found: Violation[] = [];
  for (const [taskId, outcome] of evidence.outcomes) {
    const at = firstAck.get(taskId) ?? 0;
    const parts = segments(outcome.audit);
    // after a terminal row only a replacing task's own history may follow, from its creation
    const reopened = parts.findIndex((part, i) => i > 0 && part[0]?.status !== 'waiting' && part[0]?.status !== 'queued');
    if (outcome.status !== undefined && isTerminal(outcome.status) && outcome.later !== outcome.status) {
      found.push({ invariant: 'terminal state is final', taskId, at, detail: `${outcome.status}, then ${outcome.later ?? 'gone'}` });
    } else if (reopened > 0 || (parts.length > 1 && outcome.status !== undefined && outcome.audit[0]?.status === undefined)) {
      found.push({ invariant: 'terminal state is final', taskId, at, detail: `a change after a terminal status: ${outcome.audit.map((r) => r.status).join(' → ')}` });
    }
  }
  return found;
}

function auditHistory(evidence: ChaosEvidence, firstAck: Map<string, number>, byTask: Map<string, Execution[]>): Violation[] {
  const found: Violation[] = [];
  for (const [taskId, outcome] of evidence.outcomes) {
    if (outcome.status === undefined) continue; // counted as lost
    const at = firstAck.get(taskId) ?? 0;
    const statuses = outcome.audit.map((row) => row.status);
    const fail = (detail: string) => found.push({ invariant: 'audit complete and ordered', taskId, at, detail: `${detail}: ${statuses.join(' → ')}` });
    const own = segments(outcome.audit).at(-1) ?? [];
    const ownStatuses = own.map((row) => row.status);
    const step = ownStatuses.findIndex((s, i) => i > 0 && !historyStep(ownStatuses[i - 1] as TaskStatus, s));
    const unordered = outcome.audit.findIndex((row, i) => i > 0 && row.at < (outcome.audit[i - 1] as StatusAuditEntry).at);
    // every run in a process that was never killed, away from an outage, wrote its in-progress row
    const reachable = (e: Execution) => evidence.outages.every((o) => (e.end ?? e.start) < o.from || e.start > o.to);
    const runsOfSurvivors = (byTask.get(taskId) ?? []).filter((e) => evidence.survivors.has(e.pid) && e.end !== null && reachable(e)).length;
    if (ownStatuses[0] !== 'waiting' && ownStatuses[0] !== 'queued') fail('the history does not start with the stored task');
    else if (step > 0) fail(`${ownStatuses[step - 1]} → ${ownStatuses[step]} is not an allowed change`);
    else if (unordered > 0) fail(`row ${unordered} is older than the row before it`);
    else if (ownStatuses.at(-1) !== outcome.status) fail(`the last row is not the stored status ${outcome.status}`);
    else if (ownStatuses.filter((s) => s === 'in-progress').length < runsOfSurvivors) fail(`fewer in-progress rows than the ${runsOfSurvivors} runs of live processes`);
  }
  return found;
}

/**
 * Each run of a series (its run count) and each occurrence (its scheduled time) finished once, and
 * the series made all its runs. The documented exception is the in-flight window of a killed
 * process: a run it had not finished, or had finished less than a lease before the kill (its
 * outcome maybe not stored yet), is run again — for the same run count, possibly for a later
 * occurrence when its own is past.
 */
function recurring(evidence: ChaosEvidence, series: Map<string, number>, byTask: Map<string, Execution[]>): Violation[] {
  const found: Violation[] = [];
  const inFlight = (e: Execution) => {
    const killedAt = evidence.kills.get(e.pid);
    return killedAt !== undefined && (e.end === null || e.end >= killedAt - evidence.inFlightWindowMs);
  };
  for (const [taskId, at] of series) {
    const ticks = (byTask.get(taskId) ?? []).filter((e) => e.note.startsWith('tick:'));
    const counted = ticks.filter((e) => !inFlight(e));
    for (const [field, label] of [[1, 'run'], [3, 'occurrence']] as const) {
      for (const [value, runs] of groupBy(counted, (e) => e.note.split(':')[field])) {
        if (runs.length > 1) found.push({ invariant: 'recurring occurrence fires once', taskId, at: runs[1]?.start ?? at, detail: `${label} ${value} finished ${runs.length} times` });
      }
    }
    const runs = groupBy(ticks.filter((e) => e.end !== null), (e) => e.note.split(':')[1]).size;
    if (runs !== evidence.seriesRuns) found.push({ invariant: 'recurring occurrence fires once', taskId, at, detail: `${runs} runs finished, not ${evidence.seriesRuns}` });
  }
  return found;
}

/** Every violation of the run. */
export function checkInvariants(evidence: ChaosEvidence): Violation[] {
  const firstAck = new Map<string, number>();
  const series = new Map<string, number>();
  for (const d of evidence.dispatches) {
    if (!firstAck.has(d.taskId)) firstAck.set(d.taskId, d.at);
    if (d.note.startsWith('series:')) series.set(d.taskId, d.at);
  }
  const byTask = groupBy(evidence.executions, (e) => e.taskId);
  const violations: Violation[] = [...lost(evidence, firstAck, byTask)];
  for (const [taskId, runs] of byTask) violations.push(...overlaps(runs, evidence.kills, 'no task in two processes at once', `task ${taskId}`));
  const keyed = groupBy(evidence.executions, (e) => (e.note.startsWith('plain:') && !e.note.endsWith(':-') ? e.note.split(':').slice(2).join(':') : undefined));
  for (const [key, runs] of keyed) violations.push(...overlaps(runs, evidence.kills, 'one active task per key', `key ${key}`));
  violations.push(...finality(evidence, firstAck), ...auditHistory(evidence, firstAck, byTask), ...recurring(evidence, series, byTask));
  return violations;
}
