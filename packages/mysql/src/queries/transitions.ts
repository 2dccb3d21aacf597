import { randomUUID } from 'node:crypto';
import type { TaskTransition } from 'evertask';
import { COLUMN_OF_FIELD, SPEC_OF_FIELD, TASK_PATCH_FIELDS, patchedFields, type FieldType, type PatchableField } from 'evertask/storage-kit';
import { rowsOf, type QueryContext } from '../connection.js';

/** The SQL type a JSON value is read as, per kind of field. */
const JSON_TYPE_OF: Readonly<Record<FieldType, string>> = {
  uuid: 'CHAR(36)',
  name: 'LONGTEXT',
  text: 'LONGTEXT',
  status: 'VARCHAR(20)',
  'audit-level': 'VARCHAR(20)',
  outcome: 'VARCHAR(20)',
  'log-level': 'VARCHAR(20)',
  time: 'BIGINT',
  count: 'INT',
  duration: 'DOUBLE',
};

/**
 * Ids as JSON_TABLE reads them: in the id columns' character set and collation, so that the join
 * to the tasks table goes by primary key (a utf8mb4 id would be converted row by row: a full scan).
 */
const ASCII_ID = 'CHAR(36) CHARACTER SET ascii COLLATE ascii_bin';

/** JSON_TABLE column of one patch field's value. */
function valueColumn(field: PatchableField): string {
  const column = COLUMN_OF_FIELD[field];
  return `p_${column} ${JSON_TYPE_OF[SPEC_OF_FIELD[field].type]} PATH '$.patch.${field}'`;
}

/** JSON_TABLE column telling whether a change's patch has the field. */
function presenceColumn(field: PatchableField): string {
  return `h_${COLUMN_OF_FIELD[field]} INT EXISTS PATH '$.patch.${field}'`;
}

/** Most statement texts kept, one per combination of patched fields seen. */
const MAX_CACHED_UPDATES = 64;

/** The change rows, joined to the tasks they changed in this batch (`change_token` = batch token ':' change number). */
function appliedJoin(tasks: string, alias: string): string {
  return `JOIN ${tasks} t ON t.id = ${alias}.id AND t.change_token = CONCAT(?, ':', ${alias}.change_no)`;
}

/** A JSON text of `rows`, with lone UTF-16 surrogates (which no UTF-8 column can hold) replaced by U+FFFD. */
function jsonOf(rows: readonly unknown[]): string {
  const json = JSON.stringify(rows);
  if (!/\\ud[89a-f]/i.test(json)) return json;
  return JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'string' ? (value as string & { toWellFormed(): string }).toWellFormed() : value));
}

/**
 * Status changes: `transition`, a whole batch with its history rows in one transaction sent as one
 * round trip (a pool without `multipleStatements` sends the statements one by one).
 *
 * MySQL has no `UPDATE … RETURNING` and no writable CTEs, so the batch travels as JSON read with
 * `JSON_TABLE`: the UPDATE applies each change whose guard holds (status in `from`, lease owner)
 * and stamps the row with `<batch token>:<change number>`; the audit, run-audit and log rows are
 * inserted only for rows carrying their change's stamp, and the UPDATE's row count tells whether
 * every change applied; only when some did not does a final SELECT (a constant-false condition
 * otherwise, which the server resolves without reading) return the applied change numbers. A
 * change and its history are written together or not at all.
 */
export class TransitionQueries {
  readonly #context: QueryContext;
  readonly #sql: { statusAudit: string; runAudit: string; logs: string; applied: string; keepCount: string; readCount: string };
  /** UPDATE texts by the patched fields of a round (see `#updateSql`). */
  readonly #updates = new Map<string, string>();

  constructor(context: QueryContext) {
    this.#context = context;
    const { tasks, statusAudit, runAudit, executionLogs } = context.tables;
    this.#sql = {
      statusAudit: `INSERT INTO ${statusAudit} (task_id, status, at, error, actor)
SELECT a.id, a.status, a.at, a.error, a.actor FROM JSON_TABLE(?, '$[*]' COLUMNS(
    change_no INT PATH '$.change_no', id ${ASCII_ID} PATH '$.id', status VARCHAR(20) PATH '$.status',
    at BIGINT PATH '$.at', error LONGTEXT PATH '$.error', actor LONGTEXT PATH '$.actor', row_no FOR ORDINALITY)) a
${appliedJoin(tasks, 'a')} ORDER BY a.row_no`,
      runAudit: `INSERT INTO ${runAudit} (task_id, at, status, execution_time_ms, error)
SELECT r.id, r.at, r.status, r.execution_time_ms, r.error FROM JSON_TABLE(?, '$[*]' COLUMNS(
    change_no INT PATH '$.change_no', id ${ASCII_ID} PATH '$.id', at BIGINT PATH '$.at', status VARCHAR(20) PATH '$.status',
    execution_time_ms DOUBLE PATH '$.executionTimeMs', error LONGTEXT PATH '$.error', row_no FOR ORDINALITY)) r
${appliedJoin(tasks, 'r')} ORDER BY r.row_no`,
      logs: `INSERT INTO ${executionLogs} (id, task_id, at, level, message, exception, sequence)
SELECT l.log_id, l.id, l.at, l.level, l.message, l.exception, l.sequence FROM JSON_TABLE(?, '$[*]' COLUMNS(
    change_no INT PATH '$.change_no', id ${ASCII_ID} PATH '$.id', log_id ${ASCII_ID} PATH '$.log_id', at BIGINT PATH '$.at',
    level VARCHAR(20) PATH '$.level', message LONGTEXT PATH '$.message', exception LONGTEXT PATH '$.exception',
    sequence INT PATH '$.sequence', row_no FOR ORDINALITY)) l
${appliedJoin(tasks, 'l')} ORDER BY l.row_no`,
      applied: `SELECT c.change_no FROM JSON_TABLE(?, '$[*]' COLUMNS(change_no INT PATH '$.change_no', id ${ASCII_ID} PATH '$.id')) c
${appliedJoin(tasks, 'c')} WHERE @evertask_applied < ?`,
      keepCount: 'SET @evertask_applied = ROW_COUNT()',
      readCount: 'SELECT @evertask_applied AS n',
    };
  }

  async transition(changes: readonly TaskTransition[]): Promise<boolean[]> {
    const applied = new Array<boolean>(changes.length).fill(false);
    // Rounds in which every id appears once (a multi-table UPDATE changes a row once per
    // statement); changes of one id keep their order. Usually there is a single round.
    const rounds: { change: TaskTransition; changeNo: number }[][] = [];
    const seen = new Map<string, number>();
    changes.forEach((change, changeNo) => {
      const round = seen.get(change.id) ?? 0;
      seen.set(change.id, round + 1);
      (rounds[round] ??= []).push({ change, changeNo });
    });
    const token = randomUUID();
    const statements: { sql: string; values: unknown[] }[] = [];
    const reads: { index: number; round: readonly { changeNo: number }[] }[] = [];
    for (const round of rounds) {
      statements.push(...this.#roundStatements(round, token));
      reads.push({ index: statements.length - 1, round });
    }
    const results = await this.#context.connection.script('transition', statements);
    for (const { index, round } of reads) {
      // the UPDATE changed every row of the round: all applied, and the SELECT read nothing
      if (Number(rowsOf(results[index - 1])[0]?.n) === round.length) for (const { changeNo } of round) applied[changeNo] = true;
      else for (const row of rowsOf(results[index])) applied[Number(row.change_no)] = true;
    }
    return applied;
  }

  /**
   * The guarded UPDATE of a round, reading from the JSON only the patch fields its changes carry:
   * a field every change patches is assigned as it is, one only some patch keeps the stored value
   * where it is absent. (A completion patches 6–8 of the 19 patchable fields: the server evaluates
   * a third of the JSON paths it would for all of them.) One text per combination, cached.
   */
  #updateSql(round: readonly { change: TaskTransition }[]): string {
    const counts = new Map<PatchableField, number>();
    for (const { change } of round) {
      if (change.patch !== undefined) for (const field of patchedFields(change.patch)) counts.set(field, (counts.get(field) ?? 0) + 1);
    }
    const every = TASK_PATCH_FIELDS.filter((field) => counts.get(field) === round.length);
    const some = TASK_PATCH_FIELDS.filter((field) => (counts.get(field) ?? 0) > 0 && counts.get(field) !== round.length);
    const key = `${every.join(',')}|${some.join(',')}`;
    const cached = this.#updates.get(key);
    if (cached !== undefined) return cached;
    const columns = [...every.map(valueColumn), ...some.flatMap((field) => [valueColumn(field), presenceColumn(field)])];
    const assignments = [
      ...every.map((field) => `t.${COLUMN_OF_FIELD[field]} = c.p_${COLUMN_OF_FIELD[field]}`),
      ...some.map((field) => {
        const column = COLUMN_OF_FIELD[field];
        return `t.${column} = IF(c.h_${column} = 1, c.p_${column}, t.${column})`;
      }),
    ];
    const sql = `UPDATE ${this.#context.tables.tasks} t JOIN JSON_TABLE(?, '$[*]' COLUMNS(
    change_no INT PATH '$.change_no', id ${ASCII_ID} PATH '$.id', from_statuses VARCHAR(200) PATH '$.from',
    owner LONGTEXT PATH '$.owner', to_status VARCHAR(20) PATH '$.to', at BIGINT PATH '$.at'${columns.map((c) => `,\n    ${c}`).join('')})) c ON t.id = c.id
SET t.status = c.to_status, t.updated_at = c.at,${assignments.map((a) => `\n  ${a},`).join('')}
  t.change_token = CONCAT(?, ':', c.change_no)
WHERE FIND_IN_SET(t.status, c.from_statuses) > 0 AND (c.owner IS NULL OR t.lease_owner = c.owner)`;
    if (this.#updates.size >= MAX_CACHED_UPDATES) this.#updates.clear();
    this.#updates.set(key, sql);
    return sql;
  }

  /**
   * The statements of one round: the guarded UPDATE and its row count kept, the history inserts it
   * needs, and last the row count and the SELECT of the changes that applied (when not all did).
   */
  #roundStatements(round: readonly { change: TaskTransition; changeNo: number }[], token: string): { sql: string; values: unknown[] }[] {
    const changeRows: unknown[] = [];
    const audits: unknown[] = [];
    const runs: unknown[] = [];
    const logs: unknown[] = [];
    const all: unknown[] = [];
    for (const { change, changeNo } of round) {
      const patch: Record<string, unknown> = {};
      if (change.patch !== undefined) for (const key of patchedFields(change.patch)) patch[key] = change.patch[key];
      changeRows.push({ change_no: changeNo, id: change.id, from: change.from.join(','), owner: change.owner ?? null, to: change.to, at: change.at, patch });
      all.push({ change_no: changeNo, id: change.id });
      for (const prior of change.priorAudits ?? []) audits.push({ change_no: changeNo, id: change.id, status: prior.status, at: prior.at, error: prior.error });
      if (change.audit !== undefined) {
        audits.push({ change_no: changeNo, id: change.id, status: change.to, at: change.at, error: change.audit.error, actor: change.audit.actor ?? null });
      }
      if (change.runAudit !== undefined) runs.push({ change_no: changeNo, id: change.id, ...change.runAudit });
      for (const log of change.logs ?? []) {
        logs.push({ change_no: changeNo, id: change.id, log_id: log.id, at: log.at, level: log.level, message: log.message, exception: log.exception, sequence: log.sequence });
      }
    }
    const statements: { sql: string; values: unknown[] }[] = [
      { sql: this.#updateSql(round), values: [jsonOf(changeRows), token] },
      { sql: this.#sql.keepCount, values: [] },
    ];
    if (audits.length > 0) statements.push({ sql: this.#sql.statusAudit, values: [jsonOf(audits), token] });
    if (runs.length > 0) statements.push({ sql: this.#sql.runAudit, values: [jsonOf(runs), token] });
    if (logs.length > 0) statements.push({ sql: this.#sql.logs, values: [jsonOf(logs), token] });
    statements.push({ sql: this.#sql.readCount, values: [] }, { sql: this.#sql.applied, values: [JSON.stringify(all), token, round.length] });
    return statements;
  }
}
