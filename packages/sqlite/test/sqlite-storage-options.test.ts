import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'evertask';
import { SqliteStorage } from '../src/index.js';
import { SQLITE_STORAGE_DEFAULTS, resolveOptions } from '../src/sqlite-storage-options.js';

describe('SqliteStorage options', () => {
  it('applies the documented defaults to every option left out, and keeps the ones given', () => {
    expect(resolveOptions({ filename: 'x.db' })).toEqual({ filename: 'x.db', database: undefined, ...SQLITE_STORAGE_DEFAULTS });
    expect(SQLITE_STORAGE_DEFAULTS).toEqual({ migrate: true, busyTimeoutMs: 5000, synchronous: 'normal', tablePrefix: 'evertask_' });
    const given = { filename: 'y.db', migrate: false, busyTimeoutMs: 0, synchronous: 'full', tablePrefix: '_a1' } as const;
    expect(resolveOptions(given)).toEqual({ ...given, database: undefined });
  });

  it('rejects bad options with InvalidArgumentError naming the option', () => {
    expect(() => new SqliteStorage({ filename: '' })).toThrow(/filename/);
    expect(() => new SqliteStorage({ filename: 'x.db', tablePrefix: 'bad-prefix;' })).toThrow(/tablePrefix/);
    expect(() => new SqliteStorage({ filename: 'x.db', busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/);
    expect(() => new SqliteStorage({ filename: 'x.db', synchronous: 'off' as never })).toThrow(/synchronous/);
    expect(() => new SqliteStorage({ filename: 'x.db', database: {} } as never)).toThrow(InvalidArgumentError);
    expect(() => new SqliteStorage({ filename: 'x.db', migrate: 'yes' as never })).toThrow(/"migrate" must be true or false, got "yes"/);
    expect(() => new SqliteStorage({ filename: 'x.db', tablePrefix: 'a'.repeat(41) })).toThrow(/at most 40 characters/);
    expect(() => new SqliteStorage(undefined as never)).toThrow(InvalidArgumentError);
  });
});
