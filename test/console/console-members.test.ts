import type { Browser, Page } from 'playwright-core';
import { startSandboxWithBrowser, BROWSER_TEARDOWN_MS } from '../helpers/sandbox-browser';
import type { App } from '../../src/app';
import { campaignResults } from '../../src/features/members/results';
import { inQuietHours } from '../../src/features/tasks/ladder';

/**
 * The store page in a real headless Chromium (Debian's), on a phone-sized screen: the members'
 * segments and the demo campaign's results, and a task given from the page that lands in the
 * store's task list and in the assignee's WeCom.
 */
let app: App;
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ app, base, browser } = await startSandboxWithBrowser());
  // The demo win-back campaign is due at once: build it now rather than wait for the minute's run.
  await app.scheduler.runJob(
    app.bot.jobs.find((j) => j.name === 'members.runCampaigns')!,
    new Date(),
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
}, BROWSER_TEARDOWN_MS);

it('shows a store manager their members’ segments and campaign results, and gives a task from the store page', async () => {
  page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${base}/console/`);
  await page.click('.users button[data-user="zhoumanager"]');
  await page.locator('tbody tr').first().click();
  await page.waitForURL(`${base}/console/store/S001`);

  // Members: the counts of this store only, the segments as a chart and a table.
  const members = await app.db.member.count({ where: { homeStore: 'S001' } });
  await page.locator('#members-panel', { hasText: `会员 ${members} 人` }).waitFor();
  await page.locator('#segments-chart svg').waitFor();
  const tags = await app.db.memberTag.groupBy({
    by: ['tag'],
    where: { memberCode: { in: (await app.db.member.findMany({ where: { homeStore: 'S001' }, select: { code: true } })).map((m) => m.code) } },
  });
  const segmentRows = page.locator('[data-section="memberSegments"] tbody tr');
  await segmentRows.first().waitFor();
  expect(await segmentRows.count()).toBe(tags.length);

  // The demo campaign, measured over this store's members: what results.ts gives for S001.
  const expected = (await campaignResults(app.db, 'demo-winback', { stores: ['S001'] }))!;
  const campaign = page.locator('[data-section="campaigns"] tbody tr', { hasText: '老客召回 · 5元券' });
  await campaign.waitFor();
  expect(await campaign.locator('td').nth(2).textContent()).toBe(String(expected.sent));
  expect(await campaign.locator('td').nth(9).textContent()).toBe(String(expected.treated.members));
  expect(await campaign.locator('td').nth(10).textContent()).toBe(String(expected.holdout.members));
  if (expected.holdout.members) await page.locator('#uplift-chart svg').waitFor();

  // A task: title, assignee from the store's staff, due tomorrow 09:00 (the form's default, in the chain's time zone).
  // The form stays folded away until asked for.
  expect(await page.isVisible('.task-form')).toBe(false);
  await page.click('#new-task');
  await page.fill('.task-form input[name="title"]', '清洁制冰机（管理台派发）');
  await page.selectOption('.task-form select[name="assignee"]', 'zhangxiaomei');
  await page.fill('.task-form textarea[name="note"]', '用消毒水');
  await page.click('.task-form button[type="submit"]');
  await page.locator('.form-message', { hasText: '已派给 张小美' }).waitFor();
  const row = page.locator('[data-section="tasks"] tbody tr', { hasText: '清洁制冰机（管理台派发）' });
  await row.waitFor();
  expect(await row.locator('td').nth(2).textContent()).toBe('张小美');
  expect(await row.locator('td').nth(5).textContent()).toBe('待处理');
  const task = await app.db.task.findFirstOrThrow({ where: { title: '清洁制冰机（管理台派发）' } });
  expect(task).toMatchObject({ kind: 'tasks.manual', storeCode: 'S001', assignee: 'zhangxiaomei', createdBy: 'zhoumanager', detail: '用消毒水' });
  // Its card goes to 张小美 at once — unless this runs in the quiet hours, when the walker sends it at the due time.
  const quiet = inQuietHours(task.createdAt, app.config.timezone, app.config.tasks.quietHours);
  expect(await app.db.outboxMessage.count({ where: { recipient: 'zhangxiaomei', idempotencyKey: { startsWith: `task:${task.id}:` } } })).toBe(quiet ? 0 : 1);

  // Usable on a phone: nothing wider than the screen but the tables, which scroll inside their boxes.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(errors).toEqual([]);
});

it('shows an area manager the members and campaigns of their stores on the ranking page', async () => {
  await page.close();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/console/`);
  await page.click('.users button[data-user="liuarea"]');
  const panel = page.locator('#members-panel');
  const members = await app.db.member.count({ where: { homeStore: { in: ['S001', 'S002'] } } });
  await panel.locator('p', { hasText: `会员 ${members} 人` }).waitFor();
  const expected = (await campaignResults(app.db, 'demo-winback', { stores: ['S001', 'S002'] }))!;
  const row = panel.locator('tbody tr', { hasText: '老客召回 · 5元券' });
  await row.waitFor();
  expect(await row.locator('td').nth(3).textContent()).toBe(String(expected.sent));
  await page.locator('#segments-chart svg').waitFor();
});
