import type { Locator } from 'playwright-core';

/** How long a condition may take on a loaded machine. */
export const WAIT_MS = 20_000;

/** Waits until the locator matches a visible element (Playwright's own waiting). */
export async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: WAIT_MS });
}

/** Polls `condition` until it holds; fails naming `what` after `WAIT_MS`. */
export async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${WAIT_MS} ms waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Waits until the locator matches exactly `count` elements. */
export function countIs(locator: Locator, count: number): Promise<void> {
  return until(`${locator} matches ${count} element(s)`, async () => (await locator.count()) === count);
}
