import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['evertask-source'] },
  ssr: { resolve: { conditions: ['evertask-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'scripts/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Database-backed suites isolate their data per file; keep files in separate workers.
    fileParallelism: true,
    pool: 'forks',
  },
});
