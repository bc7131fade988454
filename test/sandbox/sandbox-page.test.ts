import type { Browser, Page } from 'playwright-core';
import { startSandboxWithBrowser, BROWSER_TEARDOWN_MS } from '../helpers/sandbox-browser';
import type { App } from '../../src/app';
import type { FakeWecom } from '../../src/sandbox/fake-wecom';

/** The sandbox page in a real headless Chromium (Debian's), driven by playwright-core. */
let app: App;
let fake: FakeWecom;
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ app, fake, base, browser } = await startSandboxWithBrowser());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
}, BROWSER_TEARDOWN_MS);

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/sandbox`);
  await page.waitForSelector('#persona option', { state: 'attached' });
});
afterEach(() => page.close());

const bubbles = () => page.locator('.msg.bot .bubble');

it('sends what the visitor types through the encrypted callback and shows the reply', async () => {
  await page.selectOption('#persona', 'liqiang');
  await page.fill('#text-input', '帮助');
  await page.click('#send-btn');
  await page.locator('.msg.bot .bubble', { hasText: '我能帮你做这些' }).waitFor();
  const stored = await app.db.inboundMessage.findFirst({ where: { fromUser: 'liqiang', msgType: 'text' } });
  expect(stored).toMatchObject({ status: 'done', payload: expect.objectContaining({ content: '帮助' }) });
  expect(fake.inbox('liqiang').some((m) => String(m.body.content).includes('我能帮你做这些'))).toBe(true);
});

it('taps a card button and sees the card update in place', async () => {
  await page.selectOption('#persona', 'chenjing');
  await page.fill('#text-input', '演示卡片');
  await page.click('#send-btn');
  const card = page.locator('.card', { hasText: '这是一张互动卡片' });
  await card.locator('button', { hasText: '稍后' }).click();
  await card.locator('.replaced', { hasText: '已选择：稍后' }).waitFor();
  expect(await card.locator('button').count()).toBe(0);
  await page.locator('.msg.bot .bubble', { hasText: '收到，你点了「稍后」' }).waitFor();
  expect(fake.cardUpdates).toEqual(expect.arrayContaining([expect.objectContaining({ userids: ['chenjing'], button: { replace_name: '已选择：稍后' } })]));
});

it('taps the app menu and sends an image', async () => {
  await page.selectOption('#persona', 'sunli');
  await page.locator('#menu .top > button', { hasText: '更多' }).click();
  await page.locator('#menu .sub button', { hasText: '帮助' }).click();
  await page.locator('.msg.bot .bubble', { hasText: '我能帮你做这些' }).waitFor();
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  await page.setInputFiles('#image-input', { name: '冰箱.png', mimeType: 'image/png', buffer: png });
  await page.locator('.msg.me img[alt="冰箱.png"]').waitFor();
  const image = await app.db.inboundMessage.findFirst({ where: { fromUser: 'sunli', msgType: 'image' } });
  const mediaId = (image!.payload as { mediaId: string }).mediaId;
  // The bot can fetch it back by media id through the (fake) WeCom API, as it would in production.
  expect((await app.wecom.getMedia(mediaId)).data.equals(png)).toBe(true);
  await bubbles().filter({ hasText: '收到照片。要报修的话' }).first().waitFor();
});

it('scans a barcode picked from the demo catalogue through the app menu', async () => {
  await page.selectOption('#persona', 'zhaolei');
  await page.locator('#menu .top > button', { hasText: '库存' }).click();
  await page.locator('#menu .sub button', { hasText: '扫码入库' }).click();
  await page.locator('#scan-pick option', { hasText: '6910000010005' }).waitFor({ state: 'attached' });
  await page.selectOption('#scan-pick', '6910000010005');
  await page.click('#scan-form button[type=submit]');
  await page.locator('.card', { hasText: '入库：牛奶（箱）' }).waitFor();
  const scan = await app.db.inboundMessage.findFirst({ where: { fromUser: 'zhaolei', event: 'scancode_waitmsg' } });
  expect(scan!.payload).toMatchObject({ eventKey: 'stock.scanReceive', scan: { type: 'barcode', result: '6910000010005' } });
});

it('shows a demo member the coupon message once their owner confirms it', async () => {
  // The demo win-back campaign is due at once; its minute job builds it and creates the messages.
  const job = app.bot.jobs.find((j) => j.name === 'members.runCampaigns')!;
  await app.scheduler.runJob(job, new Date());
  const row = await app.db.campaignMember.findFirstOrThrow({ where: { campaignId: 'demo-winback', status: 'awaiting_confirmation' }, orderBy: { memberCode: 'asc' } });
  await page.click('#toggle-members');
  await page.fill('#member-search', row.memberCode);
  const member = page.locator(`.member[data-code="${row.memberCode}"]`);
  await member.locator('.coupon.pending', { hasText: row.couponCode! }).waitFor();
  expect(fake.customerInbox(row.externalUserid!)).toHaveLength(0);
  await member.locator('button', { hasText: '确认发送' }).click();
  await member.locator('.coupon.received', { hasText: row.couponCode! }).waitFor();
  expect(fake.customerInbox(row.externalUserid!)).toHaveLength(1);
  // The bot reads the confirmation back on its next run.
  await app.scheduler.runJob(job, new Date());
  expect((await app.db.campaignMember.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('delivered');
});

it('shows a stopped coupon message as stopped, and the owner can no longer send it', async () => {
  const job = app.bot.jobs.find((j) => j.name === 'members.runCampaigns')!;
  await app.scheduler.runJob(job, new Date());
  const row = await app.db.campaignMember.findFirstOrThrow({ where: { campaignId: 'demo-winback', status: 'awaiting_confirmation' }, orderBy: { memberCode: 'desc' } });
  await app.wecom.cancelGroupMsgSend(row.msgid!); // what the bot does once the coupon expired unconfirmed
  await page.click('#toggle-members');
  await page.fill('#member-search', row.memberCode);
  const coupon = page.locator(`.member[data-code="${row.memberCode}"] .coupon.failed`, { hasText: row.couponCode! });
  await coupon.locator('.state', { hasText: '群发已停止' }).waitFor();
  expect(await coupon.locator('button').count()).toBe(0);
  const answer = await page.evaluate(async (msgid) => {
    const res = await fetch('/sandbox/api/members/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgid }) });
    return { status: res.status, body: await res.json() };
  }, row.msgid!);
  expect(answer).toMatchObject({ status: 409, body: { error: 'cancelled' } });
  expect(fake.customerInbox(row.externalUserid!)).toHaveLength(0);
});

it('fits a phone-sized window without sideways scrolling', async () => {
  await page.setViewportSize({ width: 375, height: 740 });
  // This message's own card: an earlier one on the page would let the test end while it is still on its way.
  const cards = await page.locator('.card').count();
  await page.fill('#text-input', '演示卡片');
  await page.click('#send-btn');
  await page.locator('.card').nth(cards).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(await page.locator('#calls').isVisible()).toBe(false);
  await page.click('#toggle-calls');
  expect(await page.locator('#calls').isVisible()).toBe(true);
});

it('refuses malformed page actions with a 400 and stores nothing', async () => {
  const before = await app.db.inboundMessage.count();
  const post = (body: unknown) => fetch(`${base}/sandbox/api/send`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect((await post({ type: 'text', user: 'nobody', content: 'hi' })).status).toBe(400);
  expect((await post({ type: 'text', user: 'liqiang', content: '' })).status).toBe(400);
  expect((await post({ type: 'teleport', user: 'liqiang' })).status).toBe(400);
  expect((await post({ type: 'image', user: 'liqiang', filename: 'x.svg', contentType: 'image/svg+xml', base64: 'PHN2Zz48L3N2Zz4=' })).status).toBe(400);
  expect((await fetch(`${base}/sandbox/api/send`, { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
  // A cross-site form post cannot act as a visitor.
  expect((await fetch(`${base}/sandbox/api/send`, { method: 'POST', body: JSON.stringify({ type: 'text', user: 'liqiang', content: 'hi' }), headers: { 'content-type': 'text/plain' } })).status).toBe(
    415,
  );
  expect(await app.db.inboundMessage.count()).toBe(before);
});
