import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'evertask';
import { PostgresStorage } from '../src/index.js';

describe('PostgresStorage connectionString', () => {
  it.each([
    ['test', /does not parse as a URL/],
    ['postgres://app:se#cret@db.internal/app', /does not parse as a URL.*percent-encoded \(# as %23/],
    ['localhost:5432/test', /its scheme is "localhost:"/],
    ['mysql://db.internal/app', /its scheme is "mysql:"/],
  ])('refuses %s at construction with a clear error instead of a transient "ENOTFOUND base"', (url, message) => {
    const attempt = () => new PostgresStorage({ connectionString: url });
    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow(message);
    expect(attempt).not.toThrow(/cret/); // never echoes a password
  });

  it.each(['postgres://app:secret@db.internal:5432/app', 'postgresql://localhost/test', 'postgres:///test', '/var/run/postgresql test'])(
    'accepts %s',
    async (url) => {
      const storage = new PostgresStorage({ connectionString: url });
      await storage.close();
    },
  );
});
