import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'evertask';
import { MySqlStorage, type MySqlStorageOptions } from '../src/index.js';
import { MYSQL_DEFAULTS, resolveMySqlOptions } from '../src/mysql-storage-options.js';

const URI = 'mysql://root@127.0.0.1:3306/test';

describe('MySqlStorage options', () => {
  it('applies the defaults', () => {
    const resolved = resolveMySqlOptions({ uri: URI });
    expect(resolved).toEqual({ uri: URI, pool: undefined, ...MYSQL_DEFAULTS });
  });

  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /needs an options object/],
    ['neither uri nor pool', {}, /exactly one of "uri".*or "pool"/],
    ['both uri and pool', { uri: URI, pool: {} }, /exactly one of/],
    ['a uri that is not mysql://', { uri: 'postgres://x@y/z' }, /"uri" must be a string such as "mysql:\/\/.*received "postgres:\/\/x@y\/z"/],
    ['a callback pool', { pool: { query: () => undefined } }, /"pool" must be a pool from mysql2\/promise/],
    ['a table prefix with capitals', { uri: URI, tablePrefix: 'Bad-' }, /"tablePrefix" must match .* received "Bad-"/],
    ['a zero chunk size', { uri: URI, addChunkSize: 0 }, /"addChunkSize" must be an integer >= 1; received 0/],
    ['negative retries', { uri: URI, transientRetries: -1 }, /"transientRetries" must be an integer >= 0; received -1/],
    ['migrate as text', { uri: URI, migrate: 'yes' }, /"migrate" must be true or false; received "yes"/],
  ])('rejects %s, naming the option and the fix', (_what, options, message) => {
    expect(() => new MySqlStorage(options as MySqlStorageOptions)).toThrow(InvalidArgumentError);
    expect(() => new MySqlStorage(options as MySqlStorageOptions)).toThrow(message);
  });

  it('rejects connectionLimit with a pool (the pool is the caller’s to size)', async () => {
    const pool = mysql.createPool({ uri: URI });
    try {
      expect(() => new MySqlStorage({ pool, connectionLimit: 3 } as unknown as MySqlStorageOptions)).toThrow(/"connectionLimit" only applies with "uri"/);
    } finally {
      await pool.end();
    }
  });
});
