import { describe, expect, it } from 'vitest';
import { EverTask, defineTask, silentLogger } from '../../src/index.js';

describe('EverTask.configuration()', () => {
  it('reports the resolved queues, task definitions and engine settings without functions', () => {
    const mail = defineTask({ name: 'mail', queue: 'emails', timeout: '10s', rateLimit: { permits: 5, period: '1s' }, handler: async () => undefined });
    const plain = defineTask({ name: 'plain', handler: async () => undefined });
    const everTask = new EverTask({
      tasks: [mail, plain],
      queues: { emails: { concurrency: 3, capacity: 20, whenFull: 'throw', timeout: '1m' } },
      defaults: { auditLevel: 'minimal', logs: { enabled: true } },
      lease: '9s',
      instanceId: 'node-a',
      logger: silentLogger,
    });
    const config = everTask.configuration();
    expect(config).toMatchObject({ instanceId: 'node-a', leaseMs: 9000, heartbeatMs: 3000, auditLevel: 'minimal', defaultTimeoutMs: null });
    expect(config.logs).toEqual({ enabled: true, minLevel: 'information', maxPerTask: 1000, maxMessageLength: 4000 });
    expect(config.queues.find((queue) => queue.name === 'emails')).toEqual({ name: 'emails', concurrency: 3, capacity: 20, whenFull: 'throw', timeoutMs: 60_000 });
    expect(config.queues.map((queue) => queue.name)).toEqual(['default', 'recurring', 'emails']);
    expect(config.tasks).toEqual([
      { name: 'mail', queue: 'emails', timeoutMs: 10_000, rateLimitPerSecond: 5 },
      { name: 'plain', queue: 'default', timeoutMs: null, rateLimitPerSecond: null },
    ]);
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });
});
