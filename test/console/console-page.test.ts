import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startSandboxWithBrowser, BROWSER_TEARDOWN_MS } from '../helpers/sandbox-browser';
import type { App } from '../../src/app';
import { createMediaStore } from '../../src/platform/media';
import { checkSafetyStock } from '../../src/features/stock/alerts';
import { openTask } from '../../src/features/tasks';
import { formatPercent, percentFigure } from '../../src/percent';
import { holdForManager, seedHandoverAndCount } from './helpers';

/** The console in a real headless Chromium (Debian's), on the sandbox: demo sign-in, the ranking, a store. */
let app: App;
let base: string;
let browser: Browser;
let page: Page;
const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-page-'));
let seeded: Awaited<ReturnType<typeof seedHandoverAndCount>>;

beforeAll(async () => {
  ({ app, base, browser } = await startSandboxWithBrowser({ MEDIA_DIR: mediaDir }));
  // The demo stocks every SKU above its safety stock; raise one SKU's line so the filter has a row,
  // and let the stock feature raise its low-stock alert.
  await app.db.skuStoreSetting.updateMany({ where: { storeCode: 'S001', skuCode: 'CREAM' }, data: { safetyStock: 100_000 } });
  await app.db.$transaction((tx) => checkSafetyStock(tx, app.config, 'S001', ['CREAM'], new Date()));
  // A handover with a photo, and a count with one SKU two short of the book.
  seeded = await seedHandoverAndCount(app.db, createMediaStore(app.config.media), 'S001', new Date());
  const book = (await app.db.stockBalance.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: 'S001', skuCode: 'CREAM' } } })).onHand.toNumber();
  await app.db.stockCountEntry.create({
    data: { countId: seeded.countId, skuCode: 'CREAM', counted: book - 2, book, countedBy: 'zhoumanager', countedAt: new Date(), source: 'chat', externalId: 'browser-test:entry' },
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(mediaDir, { recursive: true, force: true });
}, BROWSER_TEARDOWN_MS);
afterEach(() => page?.close());

async function signInAs(userid: string, viewport = { width: 1280, height: 800 }) {
  page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${base}/console/`);
  await page.click(`.users button[data-user="${userid}"]`);
  return errors;
}

it('signs in as a demo area manager, ranks their stores with a chart, and opens a store', async () => {
  const errors = await signInAs('liuarea');
  await page.locator('h1', { hasText: '门店健康分排名' }).waitFor();
  await page.locator('#who', { hasText: '刘经理 · 区域经理' }).waitFor();
  // The ranking's table (below it, the members panel may list campaigns in a table of its own).
  const rows = page.locator('.card:not(#members-panel) tbody tr');
  await rows.first().waitFor();
  expect(await rows.count()).toBe(2);
  expect(await rows.nth(0).locator('td').nth(1).textContent()).toBe('一店 · 人民路');
  // The chart is drawn by ECharts served from our own node_modules.
  await page.locator('#ranking-chart svg').waitFor();
  expect(await page.locator('#ranking-chart svg text', { hasText: '二店 · 滨江路' }).count()).toBeGreaterThan(0);

  await rows.nth(0).click();
  await page.waitForURL(`${base}/console/store/S001`);
  await page.locator('#score-summary', { hasText: '比上月' }).waitFor();
  expect(await page.locator('#score-summary .parts li').count()).toBe(4);
  // The score's trend and parts (the members panel and the sections have charts of their own).
  expect(await page.locator('main > .grid .chart svg, main > .card:not([data-section]) > .chart svg').count()).toBe(2);
  // The stock section: filter to what is below safety stock, and export that as CSV.
  const stock = page.locator('[data-section="stock"]');
  await stock.locator('tbody tr').first().waitFor();
  await stock.locator('select[aria-label="状态"]').selectOption('低于安全库存');
  await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-section="stock"] tbody tr td:last-child')).every((td) => td.textContent === '低于安全库存'));
  const href = await stock.locator('a', { hasText: '导出 CSV' }).getAttribute('href');
  expect(href).toContain('format=csv');
  expect(href).toContain('f.status=');
  const csv = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
  expect(csv.split('\n')[0]).toContain('编码,商品,分类,现有,单位,安全库存,状态');
  expect(errors).toEqual([]);
});

it('shows a store manager only their store, and a 店员 no console at all', async () => {
  await signInAs('wumanager', { width: 390, height: 844 });
  const rows = page.locator('tbody tr');
  await rows.first().waitFor();
  expect(await rows.count()).toBe(1);
  expect(await rows.first().locator('td').nth(1).textContent()).toBe('二店 · 滨江路');
  // Usable on a phone: nothing wider than the screen but the table, which scrolls inside its box.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.goto(`${base}/console/store/S001`);
  await page.locator('.error', { hasText: '你没有查看这家门店的权限' }).waitFor();
  await page.close();

  await signInAs('liqiang');
  await page.locator('.error', { hasText: '管理台仅供店长、区域经理和管理员使用' }).waitFor();
});

it('acts on a task from the store page: 完成 closes it through the task engine', async () => {
  const now = new Date();
  await openTask(app.db, { kind: 'manual.clean', sourceRef: 'browser-test', storeCode: 'S001', assignee: 'zhangxiaomei', title: '清洁制冰机（浏览器测试）', dueAt: now }, { now });
  await signInAs('zhoumanager');
  await page.locator('tbody tr').first().click();
  const row = page.locator('[data-section="tasks"] tbody tr', { hasText: '清洁制冰机（浏览器测试）' });
  await row.waitFor();
  expect(await row.locator('td').nth(5).textContent()).toBe('待处理');
  await row.locator('button[data-action="done"]').click();
  await page.locator('[data-section="tasks"] tbody tr', { hasText: '清洁制冰机（浏览器测试）' }).locator('td', { hasText: '已完成' }).waitFor();
  expect(await app.db.task.findFirstOrThrow({ where: { sourceRef: 'browser-test' } })).toMatchObject({ state: 'done', closedBy: 'zhoumanager' });
});

it("shows a store's counts, alerts, forecast and pending entries, a count's variance, and a handover's photo enlarged, on a phone", async () => {
  const errors = await signInAs('zhoumanager', { width: 390, height: 844 });
  await page.locator('tbody tr').first().click();
  await page.waitForURL(`${base}/console/store/S001`);
  for (const title of ['待审与超时', '低库存预警', '断货预测', '盘点准确率']) await page.locator('[data-section] h2', { hasText: title }).waitFor();
  await page.locator('[data-section="lowStock"] tbody tr', { hasText: '奶油' }).waitFor();

  const count = page.locator('[data-section="counts"] tbody tr', { hasText: `#${seeded.countId}` });
  await count.click();
  const variance = page.locator('[data-detail="counts"]');
  await variance.locator('h2', { hasText: `盘点 #${seeded.countId}` }).waitFor();
  const line = variance.locator('tbody tr', { hasText: '奶油' });
  await line.waitFor();
  expect(await line.locator('td').nth(4).textContent()).toBe('-2');
  await variance.locator('.chart svg').waitFor();

  await page.locator('[data-section="handovers"] tbody tr', { hasText: `#${seeded.handoverId}` }).click();
  const items = page.locator('[data-detail="handovers"]');
  const thumb = items.locator('tbody tr', { hasText: '冰箱温度照片' }).locator('button.thumb img');
  await thumb.waitFor();
  await page.waitForFunction(() => (document.querySelector('[data-detail="handovers"] button.thumb img') as HTMLImageElement | null)?.naturalWidth === 1);
  expect(await thumb.getAttribute('src')).toBe(`/console/api/stores/S001/photos/${seeded.photoId}`);
  await thumb.click();
  const enlarged = page.locator('.lightbox img');
  await enlarged.waitFor();
  expect(await enlarged.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
  await page.locator('.lightbox').click();
  await page.locator('.lightbox').waitFor({ state: 'detached' });
  // Still a phone page: only the tables scroll sideways, inside their boxes.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(errors).toEqual([]);
});

it('approves a held waste entry from 待审与超时: booked through the stock feature, and the row shows it', async () => {
  const holdId = await holdForManager(app.db, 'browser-test:hold');
  const before = (await app.db.stockBalance.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: 'S001', skuCode: 'CREAM' } } })).onHand.toNumber();
  const errors = await signInAs('zhoumanager');
  await page.locator('tbody tr').first().click();
  const row = page.locator('[data-section="pending"] tbody tr', { hasText: '今日报损 9，上限 3' });
  await row.locator('td', { hasText: '待店长批准' }).waitFor();
  expect(await row.locator('button').allTextContents()).toEqual(['批准', '驳回']);
  await row.locator('button[data-action="approve"]').click();
  await row.locator('td', { hasText: '已记账' }).waitFor();
  expect(await row.locator('button').count()).toBe(0);
  // The other sections are refreshed too: the hold's task shows as done without reloading the page.
  await page.locator('[data-section="tasks"] tbody tr', { hasText: '报损待确认' }).locator('td', { hasText: '已完成' }).waitFor();
  expect(await app.db.stockLossHold.findUniqueOrThrow({ where: { id: holdId } })).toMatchObject({ status: 'booked', managerUserid: 'zhoumanager', closedBy: 'zhoumanager' });
  expect(await app.db.stockMove.count({ where: { externalId: `loss-hold:${holdId}`, kind: 'waste' } })).toBe(1);
  expect((await app.db.stockBalance.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: 'S001', skuCode: 'CREAM' } } })).onHand.toNumber()).toBe(before - 1);
  expect(errors).toEqual([]);
});

it("rounds percentages on the page with the server's own function, as chat does", async () => {
  const errors = await signInAs('zhoumanager');
  await page.goto(`${base}/console/store/S001`);
  const panel = page.locator('#members-panel p', { hasText: '活跃率' }).first();
  await panel.waitFor();
  const members = await page.evaluate(async () => (await fetch('/console/api/stores/S001/members')).json());
  expect(await panel.textContent()).toContain(`（活跃率 ${formatPercent(members.activeShare)}）`);
  // The served function is src/percent.ts's: its figure where the old toFixed(1) read 100.0.
  const onPage = (ratio: number) => page.evaluate((r) => (window as unknown as { percentFigure(r: number): number }).percentFigure(r), ratio);
  expect([await onPage(0.9996), await onPage(17 / 30)]).toEqual([percentFigure(0.9996), 56.7]);
  expect(errors).toEqual([]);
});
