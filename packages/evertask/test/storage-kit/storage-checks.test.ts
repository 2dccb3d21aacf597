import { describe, expect, it } from 'vitest';
import { DEFAULT_STORAGE_LIMITS, DEFAULT_TASK_PAGE, StorageChecks, TASK_FIELDS, findTaskProblem, isUuid, type FieldType } from 'evertask/storage-kit';
import { makeStoredTask } from 'evertask/testing';
import { uuidv7, type StoredTask } from 'evertask';

const checks = new StorageChecks('TestStorage');
const T = Date.UTC(2026, 0, 1);

function rejection(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    return (error as Error).message;
  }
  throw new Error('expected the call to throw');
}

describe('isUuid', () => {
  it('accepts lowercase canonical UUIDs only', () => {
    const id = uuidv7();
    expect(isUuid(id)).toBe(true);
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(false);
    expect(isUuid(`${id.slice(0, 35)}g`)).toBe(false);
    expect(isUuid(`${id.slice(0, 8)}x${id.slice(9)}`)).toBe(false);
    expect(isUuid(id.replaceAll('-', ''))).toBe(false);
    expect(isUuid(`${id} `)).toBe(false);
    expect(isUuid(42)).toBe(false);
  });
});

describe('StorageChecks', () => {
  it('accepts a valid batch of tasks and returns it', () => {
    const tasks = [makeStoredTask(), makeStoredTask({ taskKey: 'k', maxRuns: 3, executionTimeMs: 1.5 })];
    expect(checks.checkNewTasks(tasks, 'add')).toBe(tasks);
  });

  it.each<[keyof StoredTask, unknown, RegExp]>([
    ['id', 'task-1', /lowercase UUID/],
    ['id', uuidv7().toUpperCase(), /lowercase UUID/],
    ['name', '', /non-empty string/],
    ['queue', '', /non-empty string/],
    ['status', 'running', /one of waiting/],
    ['attempts', -1, /integer from 0 to 2147483647/],
    ['attempts', 2 ** 31, /integer from 0 to 2147483647/],
    ['runCount', 1.5, /integer from 0/],
    ['createdAt', 1.5, /integer number of epoch milliseconds/],
    ['dueAt', DEFAULT_STORAGE_LIMITS.maxTime + 1, /epoch milliseconds .* or null/],
    ['executionTimeMs', Number.NaN, /finite number/],
    ['lastOutcome', 'cancelled', /completed, failed or null/],
    ['taskKey', 5, /a string or null/],
  ])('rejects %s = %s naming the storage, the operation and the field', (field, value, expected) => {
    const message = rejection(() => checks.checkNewTasks([makeStoredTask(), { ...makeStoredTask(), [field]: value }], 'add'));
    expect(message).toMatch(new RegExp(`^TestStorage\\.add: tasks\\[1\\]\\.${field} must be `));
    expect(message).toMatch(expected);
  });

  it('rejects patch keys outside TaskPatch and accepts undefined values as "keep"', () => {
    expect(checks.checkPatch({ attempts: 1, error: undefined }, 'update')).toEqual({ attempts: 1, error: undefined });
    expect(rejection(() => checks.checkPatch({ status: 'failed' }, 'update'))).toMatch(/patch\.status must be absent \(a patch may change only payload/);
    expect(rejection(() => checks.checkPatch({ "x'); --": 1 }, 'update'))).toMatch(/patch\.x'\); -- must be absent/);
    expect(rejection(() => checks.checkPatch({ attempts: -1 }, 'update'))).toMatch(/patch\.attempts must be an integer from 0/);
  });

  it('names the failing part of a transition', () => {
    const id = uuidv7();
    const valid = { id, from: ['waiting'], to: 'queued', at: T };
    expect(checks.checkTransitions([valid], 'transition')).toEqual([valid]);
    const cases: [object, RegExp][] = [
      [{ ...valid, id: 'x' }, /changes\[1\]\.id must be a lowercase UUID/],
      [{ ...valid, from: ['waiting', 'nope'] }, /changes\[1\]\.from\[1\] must be one of/],
      [{ ...valid, to: 'done' }, /changes\[1\]\.to must be one of/],
      [{ ...valid, at: Number.NaN }, /changes\[1\]\.at must be an integer/],
      [{ ...valid, patch: { queue: '' } }, /changes\[1\]\.patch\.queue must be a non-empty string/],
      [{ ...valid, audit: { error: 1 } }, /changes\[1\]\.audit\.error must be a string or null/],
      [{ ...valid, priorAudits: [{ status: 'waiting', at: 'soon', error: null }] }, /changes\[1\]\.priorAudits\[0\]\.at/],
      [{ ...valid, runAudit: { at: T, status: 'completed', executionTimeMs: 'fast', error: null } }, /changes\[1\]\.runAudit\.executionTimeMs/],
      [{ ...valid, logs: [{ id: uuidv7(), at: T, level: 'loud', message: 'm', exception: null, sequence: 0 }] }, /changes\[1\]\.logs\[0\]\.level/],
    ];
    for (const [change, expected] of cases) expect(rejection(() => checks.checkTransitions([valid, change], 'transition'))).toMatch(expected);
  });

  it('checks claim requests, lease lengths, queues and cursors', () => {
    const request = { owner: 'me', now: T, limit: 10, leaseMs: 30_000 };
    expect(checks.checkClaimRequest(request)).toBe(request);
    expect(rejection(() => checks.checkClaimRequest({ ...request, owner: '' }))).toMatch(/request\.owner must be a non-empty string/);
    expect(rejection(() => checks.checkClaimRequest({ ...request, leaseMs: 0 }))).toMatch(/request\.leaseMs must be a positive integer/);
    expect(rejection(() => checks.checkClaimRequest({ ...request, leaseMs: 1.5 }))).toMatch(/request\.leaseMs/);
    expect(rejection(() => checks.checkClaimRequest({ ...request, queues: [''] }))).toMatch(/request\.queues/);
    expect(checks.checkQueues([], 'nextDueAt')).toEqual([]);
    expect(rejection(() => checks.checkPendingCursor({ createdAt: T, id: 'x' }))).toMatch(/after\.id must be a lowercase UUID/);
    expect(rejection(() => checks.checkRenewal('me', T, 1000, ['x']))).toMatch(/renewLeases: ids\[0\]/);
  });

  it('fills in the page defaults and rejects unknown sort fields', () => {
    expect(checks.checkPage(undefined)).toEqual(DEFAULT_TASK_PAGE);
    expect(checks.checkPage({ limit: 5 })).toEqual({ ...DEFAULT_TASK_PAGE, limit: 5 });
    expect(rejection(() => checks.checkPage({ sortBy: 'payload' }))).toMatch(/page\.sortBy must be one of createdAt/);
    expect(rejection(() => checks.checkPage({ offset: -1 }))).toMatch(/page\.offset/);
  });

  it('applies narrower limits of a dialect', () => {
    const narrow = new StorageChecks('TinyStorage', { maxInteger: 255 });
    expect(rejection(() => narrow.checkCount(256, 'pending', 'limit'))).toMatch(/^TinyStorage\.pending: limit must be an integer from 0 to 255; got 256\.$/);
    expect(narrow.checkCount(255, 'pending', 'limit')).toBe(255);
  });
});

describe('the task check against the field table', () => {
  const BAD_VALUE: Record<FieldType, unknown> = {
    uuid: 'task-1',
    name: '',
    text: 5,
    status: 'running',
    'audit-level': 'loud',
    outcome: 'cancelled',
    'log-level': 'loud',
    time: 1.5,
    count: -1,
    duration: 'fast',
  };

  it.each(TASK_FIELDS.map((spec) => [spec.field, spec] as const))('names %s when it holds a value its type does not allow, or null when not nullable', (field, spec) => {
    expect(findTaskProblem({ ...makeStoredTask(), [field]: BAD_VALUE[spec.type] }, DEFAULT_STORAGE_LIMITS)?.path).toBe(`.${field}`);
    const withNull = findTaskProblem({ ...makeStoredTask(), [field]: null }, DEFAULT_STORAGE_LIMITS);
    expect(withNull?.path).toBe(spec.nullable ? undefined : `.${field}`);
  });
});
