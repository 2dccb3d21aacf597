import { afterAll } from 'vitest';
import { RedisStorage } from '../src/index.js';
import { describeSecretsNotLogged, SECRET } from '../../evertask/test/support/secrets-not-logged.js';
import { deletePrefix, describeWithRedis, REDIS_URL, testPrefix } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();

describeRedis('Redis connection strings', () => {
  const port = new URL(REDIS_URL).port || '6379';
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deletePrefix(prefix);
  });
  describeSecretsNotLogged('RedisStorage', () => ({
    storage: (url) => {
      const prefix = testPrefix('secrets');
      prefixes.push(prefix);
      return new RedisStorage({ url, prefix });
    },
    // the test server has no password: ioredis sends AUTH, the server says none is needed, the
    // client carries on (a working connection with a password in its URL)
    workingUrl: `redis://:${SECRET}@127.0.0.1:${port}`,
    // a closed port and a user the server does not know (ACL: AUTH refused)
    failingUrls: [`redis://default:${SECRET}@127.0.0.1:1`, `redis://nobody-${process.pid}:${SECRET}@127.0.0.1:${port}`],
  }));
});
