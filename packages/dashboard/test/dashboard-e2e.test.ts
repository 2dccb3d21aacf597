/**
 * The built dashboard in real headless Chromium (Debian's package, driven by playwright-core)
 * against a real engine on SQLite behind the monitor. Every wait is a condition (Playwright's
 * auto-waiting assertions), never a fixed sleep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { countIs, until, visible } from './support/wait.js';
import { OPERATOR, VIEWER, carrierBack, invoiceTask, partnerCallTask, reportTask, shipTask, startSeededMonitor, type SeededMonitor } from './support/seeded-monitor.js';

let monitor: SeededMonitor;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  monitor = await startSeededMonitor();
  browser = await launchChromium();
  page = await browser.context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await monitor?.close();
});

describe('the dashboard in headless Chromium', () => {
  it('refuses a wrong password, then logs in and shows the overview', async () => {
    await page.goto(monitor.url);
    await page.getByLabel('Username').fill(OPERATOR.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'Wrong username or password' }));
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('heading', { name: 'Overview' }));
    await visible(page.getByLabel('Tasks by status'));
  });

  it('shows a dispatched task live, opens it and reads its logs with a level filter', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Live events' }).click();
    await visible(page.getByLabel('connected', { exact: true }));
    const id = await monitor.everTask.dispatch(reportTask, { month: '2026-11', lines: 3 });
    const row = page.getByRole('list', { name: 'Events' }).getByRole('listitem').filter({ hasText: 'task:completed' }).filter({ hasText: id.slice(-8) });
    await visible(row);
    await visible(page.getByRole('list', { name: 'Events' }).getByRole('listitem').filter({ hasText: 'task:dispatched' }).filter({ hasText: id.slice(-8) }));
    await row.getByRole('link').click();
    await visible(page.getByRole('heading', { name: /build-report/ }));
    expect(await page.getByLabel('Payload', { exact: true }).textContent()).toContain('"month": "2026-11"');
    const lines = page.getByRole('list', { name: 'Log lines' }).getByRole('listitem');
    await countIs(lines, 4);
    expect(await lines.first().textContent()).toContain('report line 1 for 2026-11');
    await page.getByLabel('Level').selectOption('warning');
    await countIs(lines, 1);
    expect(await lines.first().textContent()).toContain('has no totals row');
  });

  it('lists a recurring series with its schedule in words and its next run', async () => {
    const id = await monitor.everTask.dispatch(reportTask, { month: 'rolling', lines: 1 }, { recurring: (s) => s.every(2).hours(), taskKey: 'two-hourly-report' });
    const stored = await monitor.everTask.storage.get(id);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Recurring' }).click();
    const row = page.locator(`tr[data-task-id="${id}"]`);
    await visible(row.filter({ hasText: 'two-hourly-report' }));
    const schedule = await row.getByRole('cell').nth(1).textContent();
    expect(schedule).not.toBe('—');
    expect(schedule?.length).toBeGreaterThan(3);
    expect(stored?.dueAt).toBeGreaterThan(Date.now());
    expect(await row.getByRole('cell').nth(2).textContent()).not.toBe('—');
  });

  it('lists tasks with a status filter and cancels a waiting task after confirmation', async () => {
    const waiting = await monitor.everTask.dispatch(invoiceTask, { invoice: 42 }, { delay: '1h' });
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Tasks' }).click();
    await page.getByLabel('Status').selectOption('waiting');
    const row = page.locator(`tr[data-task-id="${waiting}"]`);
    await visible(row.filter({ hasText: 'waiting' }));
    await row.getByRole('link', { name: 'send-invoice' }).click();
    await visible(page.getByRole('heading', { name: /send-invoice/ }).filter({ hasText: 'waiting' }));
    await page.getByRole('button', { name: 'Cancel task' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this task?' });
    await visible(dialog);
    await dialog.getByRole('button', { name: 'Cancel task' }).click();
    await visible(page.getByRole('heading', { name: /send-invoice/ }).filter({ hasText: 'cancelled' }));
    await countIs(page.getByRole('button', { name: 'Cancel task' }), 0);
    expect((await monitor.everTask.storage.get(waiting))?.status).toBe('cancelled');
  });

  it('retries a failed task after confirmation and sees it complete, then deletes it', async () => {
    const id = await monitor.everTask.dispatch(shipTask, { parcel: 'P-7' });
    await until('the shipment to fail', async () => (await monitor.everTask.getTask(id))?.status === 'failed');
    carrierBack();
    await page.goto(`${monitor.url}tasks/${id}`);
    await visible(page.getByRole('heading', { name: /ship-parcel/ }).filter({ hasText: 'failed' }));
    await visible(page.getByLabel('Error', { exact: true }).filter({ hasText: 'carrier unreachable for parcel P-7' }));
    await page.getByRole('button', { name: 'Retry' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry this task?' });
    await visible(dialog);
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await visible(page.getByRole('heading', { name: /ship-parcel/ }).filter({ hasText: 'completed' }));
    const history = page.getByRole('list', { name: 'Status history' });
    await visible(history.getByRole('listitem').filter({ hasText: `by ${OPERATOR.username}` }));
    await visible(history.getByRole('listitem').filter({ hasText: 'carrier unreachable' }));
    await countIs(page.getByRole('button', { name: 'Retry' }), 0);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete this task?' }).getByRole('button', { name: 'Delete' }).click();
    await visible(page.getByRole('heading', { name: 'Tasks' }));
    await until('the task to be gone', async () => (await monitor.everTask.getTask(id)) === undefined);
  });

  it('pauses a queue: a task dispatched to it stays waiting until the queue is resumed', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Queues' }).click();
    const billing = page.getByRole('article', { name: 'Queue billing' });
    await visible(billing);
    await billing.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('dialog', { name: 'Pause queue billing?' }).getByRole('button', { name: 'Pause' }).click();
    await visible(billing.getByLabel('Paused').filter({ hasText: `by ${OPERATOR.username}` }));
    const held = await monitor.everTask.dispatch(invoiceTask, { invoice: 77 });
    const other = await monitor.everTask.dispatch(reportTask, { month: '2026-12', lines: 1 });
    await until('the report on the running queue to complete', async () => (await monitor.everTask.getTask(other))?.status === 'completed');
    expect((await monitor.everTask.getTask(held))?.status).toBe('waiting');
    await billing.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('dialog', { name: 'Resume queue billing?' }).getByRole('button', { name: 'Resume' }).click();
    await until('the held invoice to complete', async () => (await monitor.everTask.getTask(held))?.status === 'completed');
    await countIs(billing.getByLabel('Paused'), 0);
    expect(await monitor.everTask.pausedQueues()).toEqual([]);
  });

  it('cancels every active task of the filtered list in one bulk action', async () => {
    const later = [
      await monitor.everTask.dispatch(invoiceTask, { invoice: 101 }, { delay: '1h' }),
      await monitor.everTask.dispatch(invoiceTask, { invoice: 102 }, { delay: '1h' }),
    ];
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Tasks' }).click();
    await page.getByLabel('Status').selectOption('waiting');
    await page.getByRole('form', { name: 'Filters' }).getByLabel('Queue', { exact: true }).fill('billing');
    for (const id of later) await visible(page.locator(`tr[data-task-id="${id}"]`));
    await page.getByRole('button', { name: 'Cancel matching' }).click();
    await page.getByRole('dialog', { name: 'Cancel the active tasks of this filter?' }).getByRole('button', { name: 'Cancel matching' }).click();
    await visible(page.getByRole('status').filter({ hasText: 'Cancelled 2 of 2 matching' }));
    for (const id of later) expect((await monitor.everTask.getTask(id))?.status).toBe('cancelled');
  });

  it('shows the rate-limit budgets: a parked task, its key and the next slot', async () => {
    await monitor.everTask.dispatch(partnerCallTask, { partner: 'acme-partner' });
    const parked = await monitor.everTask.dispatch(partnerCallTask, { partner: 'acme-partner' });
    await until('the second call is parked', async () => (await monitor.everTask.rateLimitStatus()).parked === 1);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Rate limits' }).click();
    await visible(page.getByRole('heading', { name: 'Rate limits' }));
    const row = page.getByRole('table', { name: 'Budgets' }).getByRole('row').filter({ hasText: 'acme-partner' });
    await visible(row.filter({ hasText: 'call-partner-api' }));
    expect(await row.locator('td').last().textContent()).toBe('1');
    await visible(page.getByLabel('Rate-limit totals').filter({ hasText: 'Parked tasks1' }));
    await monitor.everTask.cancel(parked);
    await visible(page.getByLabel('Rate-limit totals').filter({ hasText: 'Parked tasks0' }));
  });

  it('shows a read-only user no action: no task, queue or bulk buttons', async () => {
    const failed = await monitor.everTask.dispatch(shipTask, { parcel: 'P-9' });
    const waiting = await monitor.everTask.dispatch(invoiceTask, { invoice: 300 }, { delay: '1h' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').fill(VIEWER.username);
    await page.getByLabel('Password').fill(VIEWER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('navigation', { name: 'Views' }));
    await page.goto(`${monitor.url}tasks/${waiting}`);
    await visible(page.getByRole('heading', { name: /send-invoice/ }).filter({ hasText: 'waiting' }));
    for (const name of ['Run now', 'Cancel task', 'Retry', 'Delete']) await countIs(page.getByRole('button', { name }), 0);
    await page.goto(`${monitor.url}tasks/${failed}`);
    await visible(page.getByRole('heading', { name: /ship-parcel/ }));
    await countIs(page.getByRole('button', { name: 'Retry' }), 0);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Queues' }).click();
    await visible(page.getByRole('article', { name: 'Queue billing' }));
    await countIs(page.getByRole('button', { name: 'Pause' }), 0);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Tasks' }).click();
    await visible(page.locator(`tr[data-task-id="${waiting}"]`));
    await countIs(page.getByRole('button', { name: 'Cancel matching' }), 0);
  });
});
