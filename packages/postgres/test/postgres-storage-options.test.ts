import { expect, it } from 'vitest';
import { InvalidArgumentError } from 'evertask';
import { PostgresStorage } from '../src/index.js';
import { PG_URL } from './pg-test-helpers.js';

it('validates the schema name and the connection options', () => {
  for (const schema of ['EverTask', '1abc', 'a-b', 'a"b', '', 'x'.repeat(64), 'public; drop table x']) {
    expect(() => new PostgresStorage({ connectionString: PG_URL, schema })).toThrow(InvalidArgumentError);
  }
  expect(() => new PostgresStorage({ connectionString: PG_URL, schema: 'EverTask' })).toThrow(/lowercase SQL identifier/);
  expect(() => new PostgresStorage({ connectionString: PG_URL, schema: `a${'b'.repeat(62)}` })).not.toThrow();
  expect(() => new PostgresStorage({} as never)).toThrow(/exactly one of "connectionString"/);
  expect(() => new PostgresStorage({ connectionString: PG_URL, pool: {} } as never)).toThrow(InvalidArgumentError);
  expect(() => new PostgresStorage({ connectionString: PG_URL, migrate: 'yes' as never })).toThrow(/"migrate"/);
  expect(new PostgresStorage({ connectionString: PG_URL }).schema).toBe('evertask');
});
