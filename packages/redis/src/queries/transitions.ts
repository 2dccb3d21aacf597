import type { TaskTransition } from 'evertask';
import type { QueryContext } from '../connection.js';
import { encodeValue, logMember, runAuditBody, statusAuditBody } from '../row-mapping.js';
import { patchArguments } from './tasks.js';

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
    if (changes.length === 0) return [];
    const args: string[] = [String(changes.length)];
    for (const change of changes) {
      args.push(change.id, change.from.join(','), encodeValue(change.owner ?? null), change.to, String(change.at));
      for (const value of patchArguments(change.patch)) args.push(value);
      const audits = [...(change.priorAudits ?? [])];
      if (change.audit !== undefined) audits.push({ status: change.to, at: change.at, error: change.audit.error });
      args.push(String(audits.length));
      for (const audit of audits) args.push(String(audit.at), statusAuditBody(audit.status, audit.at, audit.error));
      if (change.runAudit === undefined) args.push('0');
      else args.push('1', String(change.runAudit.at), runAuditBody(change.runAudit));
      const logs = change.logs ?? [];
      args.push(String(logs.length));
      for (const log of logs) args.push(String(log.at), logMember(log));
    }
    const applied = await this.#context.connection.script<number[]>('transition', 'transition', args);
    return applied.map((value) => value === 1);
  }
}
