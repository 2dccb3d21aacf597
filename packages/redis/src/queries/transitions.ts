import type { TaskTransition } from 'evertask';
import type { QueryContext } from '../connection.js';
import { logMember, runAuditBody, scriptJson, statusAuditBody } from '../row-mapping.js';
import { patchList } from './tasks.js';

/**
 * Status changes: a whole batch is one script (one round trip, atomic): each change applies when
 * its guard holds (status in `from`, lease owner), with its patch, audit rows, run-audit row, logs
 * and index moves.
 */
export class TransitionQueries {
  readonly #context: QueryContext;

  constructor(context: QueryContext) {
    this.#context = context;
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    const rows = changes.map((change) => {
      const audits: string[] = [];
      for (const prior of change.priorAudits ?? []) audits.push(String(prior.at), statusAuditBody(prior.status, prior.at, prior.error));
      if (change.audit !== undefined) audits.push(String(change.at), statusAuditBody(change.to, change.at, change.audit.error, change.audit.actor ?? null));
      const runs = change.runAudit === undefined ? [] : [String(change.runAudit.at), runAuditBody(change.runAudit)];
      const logs: string[] = [];
      for (const log of change.logs ?? []) logs.push(String(log.at), logMember(log));
      return [change.id, change.from.join(','), change.owner ?? null, change.to, String(change.at), patchList(change.patch), audits, runs, logs];
    });
    const applied = await this.#context.connection.script<number[]>('transition', 'transition', [scriptJson(rows)]);
    return applied.map((value) => value === 1);
  }
}
