/**
 * The short chaos run on Redis (`evertask/test/support/chaos/`), on a throwaway `redis-server` of
 * its own (AOF, `appendfsync always`), never the machine's shared server.
 */
import { testChaos } from '../../evertask/test/support/chaos/chaos-test.js';
import { redisChaos } from './chaos/chaos-adapter.js';
import { describeWithRedis } from './redis-test-helpers.js';

const describeRedis = await describeWithRedis();

describeRedis('EverTask on Redis under chaos', () => {
  testChaos(redisChaos);
});
