import { describe, expect, it } from 'vitest';
import { describeDriverError, describeValue, driverErrorFields, wrapDriverError } from 'evertask/storage-kit';
import { InvalidArgumentError, StorageError, TaskKeyConflictError } from 'evertask';

describe('wrapDriverError', () => {
  it('passes errors of the library through unchanged', () => {
    for (const error of [new StorageError('s'), new TaskKeyConflictError('k'), new InvalidArgumentError('i')]) {
      expect(wrapDriverError('TestStorage', 'add', error)).toBe(error);
    }
  });

  it('wraps a driver error naming the storage and the operation, with the cause and the classification', () => {
    const cause = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const wrapped = wrapDriverError('TestStorage', 'claimDue', cause, { transient: true, explanation: 'the database is locked; retry' });
    expect(wrapped).toBeInstanceOf(StorageError);
    expect(wrapped).toMatchObject({ code: 'ERR_STORAGE', transient: true, cause, message: 'TestStorage.claimDue failed: the database is locked; retry' });
    expect(wrapDriverError('TestStorage', 'get', 'plain text')).toMatchObject({ transient: false, message: 'TestStorage.get failed: plain text' });
  });
});

describe('describeDriverError', () => {
  it('words the message with the code in brackets, and the error number only when asked', () => {
    const error = Object.assign(new Error("Duplicate entry 'x'"), { code: 'ER_DUP_ENTRY', errno: 1062 });
    expect(describeDriverError(error)).toBe("Duplicate entry 'x' [ER_DUP_ENTRY]");
    expect(describeDriverError(error, { errno: true })).toBe("Duplicate entry 'x' [ER_DUP_ENTRY 1062]");
    expect(describeDriverError(Object.assign(new Error('refused'), { errno: -111 }), { errno: true })).toBe('refused');
  });

  it('falls back to the thrown value as text when there is no message', () => {
    expect(describeDriverError('plain text')).toBe('plain text');
    expect(describeDriverError(Object.assign(new Error(''), { code: '57P01' }))).toBe('Error [57P01]');
    expect(driverErrorFields(42)).toEqual({});
    expect(driverErrorFields(null)).toEqual({});
  });
});

describe('describeValue', () => {
  it('renders any value briefly and never throws', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeValue('a"b')).toBe('"a\\"b"');
    expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(80)}…"`);
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(10n)).toBe('10n');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
    expect(describeValue(circular)).toBe('object');
  });
});
