import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/app';
import { openTask } from '../../src/features/tasks';
import { startSandboxWithBrowser, BROWSER_TEARDOWN_MS } from '../helpers/sandbox-browser';
import { holdForManager } from './helpers';

/**
 * The console as a manager opens it inside WeCom on a phone (390 × 844): nothing wider than the
 * screen, the row buttons (批准/驳回) within reach, a bar to jump between the store page's parts,
 * and words rather than internal codes everywhere on the page.
 */
const PHONE = { width: 390, height: 844 };
let app: App;
let base: string;
let browser: Browser;
let page: Page;
let holdId: bigint;

beforeAll(async () => {
  ({ app, base, browser } = await startSandboxWithBrowser());
  const db = app.db;
  const now = new Date();
  // A held waste entry for the store manager to decide.
  holdId = await holdForManager(db, 'phone-test:hold');
  // What the tester saw as codes: a handover's cash-difference task, work orders for the ice machine
  // and for no named equipment, and moves from the till and the ERP.
  await openTask(db, { kind: 'handover.cashDifference', sourceRef: 'handover:phone-test', storeCode: 'S001', assignee: 'zhoumanager', title: '交班现金差异待处理', dueAt: now }, { now });
  for (const [equipment, description] of [
    ['ice_machine', '制冰机：不出冰'],
    ['other', '其他设备：门把手松了'],
  ]) {
    await db.workOrder.create({
      data: {
        sourceRef: `phone-test:${equipment}`,
        storeCode: 'S001',
        equipment,
        description,
        priority: 'normal',
        state: 'open',
        openedBy: 'zhangxiaomei',
        openedAt: now,
        recipients: ['zhoumanager'],
      },
    });
  }
  for (const [source, kind, quantity] of [
    ['pos', 'sale', -2],
    ['erp', 'receipt', 6],
  ] as const) {
    await db.stockMove.create({ data: { storeCode: 'S001', skuCode: 'MILK', kind, quantity, occurredAt: now, recordedAt: now, source, externalId: `phone-test:${source}` } });
  }
  // Two approved counts of 牛奶 around those moves: a usage period, its line with a button per reason.
  for (const [n, counted, at] of [
    [1, 30, new Date(now.getTime() - 60_000)],
    [2, 20, new Date(now.getTime() + 60_000)],
  ] as const) {
    await db.stockCount.create({
      data: {
        storeCode: 'S001',
        status: 'approved',
        openedBy: 'zhoumanager',
        openedAt: at,
        closedAt: at,
        approvedAt: at,
        externalId: `phone-test:count:${n}`,
        entries: { create: [{ skuCode: 'MILK', counted, book: counted, countedBy: 'zhangxiaomei', countedAt: at, source: 'chat', externalId: `phone-test:count:${n}:MILK` }] },
      },
    });
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
}, BROWSER_TEARDOWN_MS);
afterEach(() => page?.close());

async function openStore(viewport = PHONE) {
  // A phone: touch, and the page's viewport meta honoured as a phone's browser does.
  const phone = viewport.width === PHONE.width;
  page = await browser.newPage({ viewport, hasTouch: phone, isMobile: phone });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${base}/console/`);
  await page.click('.users button[data-user="zhoumanager"]');
  await page.locator('tbody tr').first().click();
  await page.waitForURL(`${base}/console/store/S001`);
  return errors;
}

const pageWidth = () => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));

it('fits a 390-px phone: no sideways scrolling, and 批准/驳回 within the screen and tappable', async () => {
  const errors = await openStore();
  const row = page.locator('[data-section="pending"] tbody tr', { hasText: '今日报损 9，上限 3' });
  await row.locator('button[data-action="approve"]').waitFor();
  // Every section loaded: the widest tables are on the page.
  await page.locator('[data-section="stockMoves"] tbody tr').first().waitFor();
  await page.locator('[data-section="campaigns"] tbody tr, [data-section="campaigns"] .muted').first().waitFor();
  const usage = page.locator('[data-section="usage"] tbody tr', { hasText: '牛奶' });
  await usage.locator('button[data-action="theft"]').waitFor();
  const width = await pageWidth();
  expect(width.scroll).toBeLessThanOrEqual(width.inner);
  // The usage line's six reason buttons wrap inside its card, each on one line (not squeezed into a column of characters).
  await usage.scrollIntoViewIfNeeded();
  const card = (await usage.boundingBox())!;
  for (const box of await Promise.all((await usage.locator('td.actions button').all()).map((b) => b.boundingBox()))) {
    expect([box!.x + box!.width <= card.x + card.width, box!.height < 48]).toEqual([true, true]);
  }
  await usage.screenshot({ path: path.join(os.tmpdir(), 'console-phone-usage.png') });

  await row.scrollIntoViewIfNeeded();
  for (const action of ['approve', 'reject']) {
    const box = (await row.locator(`button[data-action="${action}"]`).boundingBox())!;
    expect([action, box.x >= 0, box.x + box.width <= PHONE.width, box.height >= 32]).toEqual([action, true, true, true]);
  }
  await row.screenshot({ path: path.join(os.tmpdir(), 'console-phone-pending.png') });
  await page.screenshot({ path: path.join(os.tmpdir(), 'console-phone-store.png') });

  // A real tap (no force): nothing covers the button.
  await row.locator('button[data-action="approve"]').tap();
  await row.locator('td', { hasText: '已记账' }).waitFor();
  expect(await app.db.stockLossHold.findUniqueOrThrow({ where: { id: holdId } })).toMatchObject({ status: 'booked', managerUserid: 'zhoumanager' });
  expect(errors).toEqual([]);
}, 60_000);

it('jumps between the parts of the store page with a bar that stays under the header', async () => {
  const errors = await openStore();
  const nav = page.locator('nav.section-nav');
  await nav.waitFor();
  // The score, then every registered table in page order (features-add-parts.test.ts pins that order).
  expect(await nav.locator('a').allTextContents()).toEqual(['健康分', ...app.bot.consoleSections.map((section) => section.title)]);
  await page.locator('[data-section="stockMoves"] tbody tr').first().waitFor();

  await nav.locator('a', { hasText: '库存流水' }).tap();
  await page.waitForFunction(() => {
    const top = document.getElementById('section-stockMoves')!.getBoundingClientRect().top;
    const below = document.querySelector('nav.section-nav')!.getBoundingClientRect().bottom;
    return top >= below && top < below + 40;
  });
  // The bar is still there, under the header, marking where the reader is; the URL is untouched.
  const bar = (await nav.boundingBox())!;
  expect(bar.y).toBe(44);
  await nav.locator('a[aria-current]', { hasText: '库存流水' }).waitFor();
  expect(page.url()).toBe(`${base}/console/store/S001`);

  await nav.locator('a', { hasText: '待审与超时' }).tap();
  await page.waitForFunction(() => Math.abs(document.getElementById('section-pending')!.getBoundingClientRect().top - document.querySelector('nav.section-nav')!.getBoundingClientRect().bottom) < 40);
  await nav.locator('a[aria-current]', { hasText: '待审与超时' }).waitFor();
  const width = await pageWidth();
  expect(width.scroll).toBeLessThanOrEqual(width.inner);
  expect(errors).toEqual([]);
}, 60_000);

it('shows words, not internal codes, anywhere on the store page and the ranking', async () => {
  const errors = await openStore({ width: 1280, height: 900 });
  for (const key of ['tasks', 'workOrders', 'stockMoves', 'pending', 'handovers', 'counts']) await page.locator(`[data-section="${key}"] tbody tr, [data-section="${key}"] .muted`).first().waitFor();
  await page.locator('[data-section="tasks"] tbody tr', { hasText: '交班现金差异待处理' }).waitFor();
  const text = await page.evaluate(() => document.body.innerText + Array.from(document.querySelectorAll('option'), (o) => o.textContent).join(' '));
  expect(text.match(/\b[a-z]+[._][a-zA-Z_]+\b/g)).toBeNull();
  expect(text.match(/\b(tasks\.manual|handover\.cashDifference|ice_machine|other|chat|scan|pos|erp|wms|sale|receipt|waste|open|normal|high|low)\b/g)).toBeNull();
  // The words they became.
  const tasks = page.locator('[data-section="tasks"]');
  expect(await tasks.locator('tbody tr', { hasText: '交班现金差异待处理' }).locator('td').nth(1).textContent()).toBe('交班现金差异');
  expect(await tasks.locator('tbody tr', { hasText: '清洁制冰机' }).locator('td').nth(1).textContent()).toBe('派发任务');
  const orders = page.locator('[data-section="workOrders"] tbody tr');
  expect(await orders.locator('td:nth-child(2)').allTextContents()).toEqual(expect.arrayContaining(['制冰机', '其他设备']));
  const moves = page.locator('[data-section="stockMoves"] tbody tr', { hasText: '牛奶' });
  expect(await moves.locator('td:nth-child(7)').allTextContents()).toEqual(expect.arrayContaining(['收银系统', 'ERP']));

  await page.goto(`${base}/console/`);
  await page.locator('.card:not(#members-panel) tbody tr').first().waitFor();
  expect((await page.evaluate(() => document.body.innerText)).match(/\b[a-z]+[._][a-zA-Z_]+\b/g)).toBeNull();
  expect(errors).toEqual([]);
}, 60_000);
