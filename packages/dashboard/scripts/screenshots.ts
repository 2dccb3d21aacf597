/**
 * `npm run screenshots`: takes the screenshots of docs/screenshots/ in headless Chromium, over a
 * seeded engine on SQLite (the end-to-end tests' fixture): login, overview, task list, task
 * detail, recurring series, queues, instances, rate limits, live events at 1280 px, and the task list on a phone.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser.js';
import { OPERATOR, chargeTask, invoiceTask, partnerCallTask, reportTask, startSeededMonitor } from '../test/support/seeded-monitor.js';
import { countIs, visible } from '../test/support/wait.js';

const target = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
mkdirSync(target, { recursive: true });

const monitor = await startSeededMonitor();
const { everTask } = monitor;
const finished: string[] = [];
for (let month = 1; month <= 6; month++) finished.push(await everTask.dispatch(reportTask, { month: `2026-0${month}`, lines: 4 }));
for (let invoice = 1; invoice <= 8; invoice++) await everTask.dispatch(invoiceTask, { invoice });
for (let invoice = 9; invoice <= 11; invoice++) await everTask.dispatch(invoiceTask, { invoice }, { delay: '2h' });
await everTask.dispatch(chargeTask, { amount: 120 });
await everTask.dispatch(chargeTask, { amount: 80 });
await everTask.dispatch(reportTask, { month: 'rolling', lines: 2 }, { recurring: (s) => s.every(2).hours(), taskKey: 'two-hourly-report' });
for (const partner of ['acme', 'acme', 'acme', 'globex', 'globex', 'initech']) await everTask.dispatch(partnerCallTask, { partner });
await everTask.dispatch(invoiceTask, { invoice: 0 }, { recurring: (s) => s.everyDay().atTime('09:00').timeZone('Europe/Rome'), taskKey: 'daily-invoice-run' });

const browser = await launchChromium();
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${target}${name}.png`, fullPage: false });
  console.log(`docs/screenshots/${name}.png`);
}
try {
  const page = await browser.context.newPage();
  await page.goto(monitor.url);
  await page.getByLabel('Username').fill(OPERATOR.username);
  await page.getByLabel('Password').fill(OPERATOR.password);
  await shot(page, 'login');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await visible(page.getByLabel('Tasks by status'));
  await visible(page.getByRole('heading', { name: 'Recent activity' }));
  await shot(page, 'overview');

  const nav = page.getByRole('navigation', { name: 'Views' });
  await nav.getByRole('link', { name: 'Tasks' }).click();
  await visible(page.locator('tr[data-task-id]'));
  await shot(page, 'tasks');

  await page.goto(`${monitor.url}tasks/${finished[0]}`);
  await countIs(page.getByRole('list', { name: 'Log lines' }).getByRole('listitem'), 5);
  await shot(page, 'task-detail');

  await nav.getByRole('link', { name: 'Recurring' }).click();
  await visible(page.locator('tr[data-task-id]'));
  await shot(page, 'recurring');

  await nav.getByRole('link', { name: 'Queues' }).click();
  await visible(page.getByRole('article', { name: 'Queue billing' }));
  await shot(page, 'queues');

  await nav.getByRole('link', { name: 'Instances' }).click();
  await visible(page.locator('tbody tr'));
  await shot(page, 'instances');

  await nav.getByRole('link', { name: 'Rate limits' }).click();
  await visible(page.getByRole('table', { name: 'Budgets' }).getByRole('row').filter({ hasText: 'globex' }));
  await shot(page, 'rate-limits');

  await nav.getByRole('link', { name: 'Live events' }).click();
  await visible(page.getByLabel('connected', { exact: true }));
  for (let invoice = 20; invoice < 26; invoice++) await everTask.dispatch(invoiceTask, { invoice });
  await everTask.dispatch(chargeTask, { amount: 15 });
  await visible(page.getByRole('listitem').filter({ hasText: 'task:failed' }));
  await countIs(page.getByRole('listitem').filter({ hasText: 'task:completed' }), 6);
  await shot(page, 'live-events');

  const phone = await browser.context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${monitor.url}tasks`);
  await visible(phone.locator('tr[data-task-id]'));
  await shot(phone, 'tasks-phone');
} finally {
  await browser.close();
  await monitor.close();
}
