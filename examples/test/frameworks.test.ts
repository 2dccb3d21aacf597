import { describe, expect, it } from 'vitest';
import { dispatchAndSeeCompleted, runExample } from './run-example.js';

/** Each framework example: its entry file, its tsconfig (for decorators) and how it answers a route it does not have. */
const EXAMPLES = [
  { name: 'express', file: 'express/server.ts', notFound: 'Cannot GET /elsewhere' },
  { name: 'fastify', file: 'fastify/server.ts', notFound: 'Route GET:/elsewhere not found' },
  { name: 'hono', file: 'hono/server.ts', notFound: '404 Not Found' },
  { name: 'nest', file: 'nest/main.ts', tsconfig: 'nest/tsconfig.json', notFound: 'Cannot GET /elsewhere' },
];

describe.each(EXAMPLES)('examples/$name', ({ file, tsconfig, notFound }) => {
  it('starts, dispatches through a route, shows the task completed in the mounted monitor, stops on SIGTERM', async () => {
    const example = await runExample(file, tsconfig);
    try {
      await dispatchAndSeeCompleted(example);
      const other = await fetch(`${example.url}/elsewhere`);
      expect(other.status).toBe(404);
      expect(await other.text()).toContain(notFound); // the app's own 404, not the monitor's
    } finally {
      const code = await example.stop();
      expect(code, example.output()).toBe(0);
    }
    expect(example.output()).toContain('SIGTERM: stopping');
  }, 120_000);
});
