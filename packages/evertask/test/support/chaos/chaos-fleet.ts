/**
 * The chaos suite's worker processes: one slot per worker, each with its share of the workload and
 * its clock skew. A slot's process can be SIGKILLed and started again (a new life), resuming the
 * dispatch of its share after the last chunk its earlier lives had acknowledged.
 */
import { readDispatches } from '../execution-ledger.js';
import { startWorker, type Worker } from '../worker-process.js';
import type { ChaosWorkerConfig } from './chaos-worker.js';

/** What every worker of a run shares (a slot adds its identity, share and skew). */
export type FleetSettings<S> = Omit<ChaosWorkerConfig<S>, 'instanceId' | 'clockOffsetMs' | 'from' | 'to' | 'series'> & {
  workers: number;
  /** Largest clock offset, ms: slot k runs at 0, +skew, −skew, +skew/2, −skew/2, … */
  skewMs: number;
  /** Recurring series (dispatched by slot 0). */
  seriesCount: number;
};

interface Slot {
  index: number;
  from: number;
  to: number;
  clockOffsetMs: number;
  life: number;
  worker: Worker;
}

/** A SIGKILL the fleet did: the process, when, and whether the slot came back under the same instance id. */
export interface Kill {
  pid: number;
  at: number;
  slot: number;
  sameInstanceId: boolean;
}

export class ChaosFleet<S> {
  readonly #script: string;
  readonly #settings: FleetSettings<S>;
  readonly #slots: Slot[] = [];
  readonly kills: Kill[] = [];
  /** Every process the fleet started. */
  readonly workers: Worker[] = [];

  constructor(script: string, settings: FleetSettings<S>) {
    this.#script = script;
    this.#settings = settings;
  }

  /** Each slot's clock offset, ms. */
  static offset(slot: number, skewMs: number): number {
    if (slot === 0) return 0;
    const step = Math.ceil(slot / 2);
    return Math.round(((slot % 2 === 1 ? 1 : -1) * skewMs) / step);
  }

  async start(): Promise<void> {
    const { workers, total } = this.#settings;
    const share = Math.ceil(total / workers);
    const slots = Array.from({ length: workers }, (_, index) => ({ index, from: index * share, to: Math.min(total, (index + 1) * share) }));
    await Promise.all(slots.map((s) => this.#launch({ ...s, clockOffsetMs: ChaosFleet.offset(s.index, this.#settings.skewMs), life: 0 }, s.from, `w${s.index}`)));
  }

  async #launch(slot: Omit<Slot, 'worker'>, from: number, instanceId: string): Promise<void> {
    const { workers: _w, skewMs: _s, seriesCount, ...shared } = this.#settings;
    const acked = new Set(readDispatches(this.#settings.ledgerDir).map((d) => d.note));
    const series = slot.index === 0 ? Array.from({ length: seriesCount }, (_, n) => n).filter((n) => !acked.has(`series:${n}`)) : [];
    const config: ChaosWorkerConfig<S> = { ...shared, instanceId, clockOffsetMs: slot.clockOffsetMs, from, to: slot.to, series };
    const worker = await startWorker(this.#script, config);
    this.workers.push(worker);
    this.#slots[slot.index] = { ...slot, worker };
  }

  /** The pids of the processes still running. */
  livePids(): Set<number> {
    return new Set(this.#slots.map((s) => s.worker.child.pid as number));
  }

  /** Throws when a worker the fleet did not kill has exited (the run would wait for it in vain). */
  assertAlive(): void {
    for (const s of this.#slots) {
      const { exitCode, signalCode } = s.worker.child;
      if (exitCode !== null || signalCode !== null) throw new Error(`worker ${s.worker.id} exited by itself (${exitCode ?? signalCode}): ${s.worker.stderr().slice(-2000)}`);
    }
  }

  /** The first index of a slot's share not acknowledged yet. */
  #resumeAt(slot: Slot): number {
    let next = slot.from;
    for (const d of readDispatches(this.#settings.ledgerDir)) {
      const index = Number(d.note.split(':')[1]);
      if (index >= slot.from && index < slot.to && index >= next) next = index + 1;
    }
    return next;
  }

  /** Whether every index of the workload has been acknowledged. */
  allDispatched(): boolean {
    return this.#slots.every((slot) => this.#resumeAt(slot) >= slot.to);
  }

  /**
   * SIGKILLs slot `index`'s process and, after `downMs`, starts it again: under the same instance
   * id (it takes its leases back at once) or a new one (its tasks wait for their leases to lapse).
   */
  async killAndRestart(index: number, downMs: number, sameInstanceId: boolean): Promise<Kill> {
    const slot = this.#slots[index];
    if (slot === undefined) throw new Error(`no worker slot ${index}`);
    const at = Date.now();
    slot.worker.child.kill('SIGKILL');
    await slot.worker.exited;
    const kill = { pid: slot.worker.child.pid as number, at, slot: index, sameInstanceId };
    this.kills.push(kill);
    await new Promise((r) => setTimeout(r, downMs));
    const life = slot.life + 1;
    await this.#launch({ ...slot, life }, this.#resumeAt(slot), sameInstanceId ? slot.worker.id : `w${index}.${life}`);
    return kill;
  }

  /** Stops every live worker gracefully (SIGTERM); resolves with their exit codes. */
  async stop(): Promise<(number | null)[]> {
    for (const s of this.#slots) s.worker.child.kill('SIGTERM');
    return Promise.all(this.#slots.map((s) => s.worker.exited));
  }

  /** SIGKILLs whatever still runs (cleanup after a failure). */
  async destroy(): Promise<void> {
    for (const w of this.workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(this.workers.map((w) => w.exited));
  }

  /** Everything the live workers wrote to stderr. */
  stderr(): string {
    return this.#slots.map((s) => s.worker.stderr()).join('');
  }
}
