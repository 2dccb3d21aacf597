import { describe } from 'vitest';

/**
 * `describe` when the service answers (`reason` undefined). Otherwise, outside CI, a loud warning
 * and `describe.skip`; under `CI=true` a failure (a CI run must not pass by skipping the tests of
 * a database). `what` names the tests (`PostgreSQL`), `envVar` the variable that points them at a
 * server.
 */
export function describeWithService(reason: string | undefined, what: string, packageName: string, envVar: string): typeof describe {
  if (reason === undefined) return describe;
  if (process.env.CI === 'true') {
    throw new Error(`${reason}. CI=true, so the ${what} tests fail instead of being skipped. Set ${envVar}.`);
  }
  console.warn(`\n[${packageName}] SKIPPING ${what} tests: ${reason}. Set ${envVar} to run them.\n`);
  return describe.skip as unknown as typeof describe;
}
