import type { Browser, Page } from 'playwright-core';
import { startSandboxWithBrowser, BROWSER_TEARDOWN_MS } from '../helpers/sandbox-browser';
import type { App } from '../../src/app';

/**
 * What the bot sends, drawn as a phone shows it, at phone width (390×844) and on a laptop: a card's
 * key/value rows as text, the 原因 dropdown of a held waste card (and the pick sent with the tap),
 * and a photo the bot passes on as the photo.
 */
let app: App;
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ app, base, browser } = await startSandboxWithBrowser());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
}, BROWSER_TEARDOWN_MS);
afterEach(() => page?.close());

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function open(userid: string, viewport: { width: number; height: number }) {
  page = await browser.newPage({ viewport });
  await page.goto(`${base}/sandbox`);
  await page.waitForSelector('#persona option', { state: 'attached' });
  await page.selectOption('#persona', userid);
}

async function send(text: string) {
  await page.fill('#text-input', text);
  await page.click('#send-btn');
}

jest.setTimeout(60_000);

describe.each([
  ['phone', { width: 390, height: 844 }, 'zhangxiaomei', '奶油'],
  ['desktop', { width: 1280, height: 800 }, 'liqiang', '牛奶'],
])('on a %s', (name, viewport, userid, sku) => {
  it('draws a held waste card with its figures and its 原因 dropdown, and sends the reason picked with 确认报损', async () => {
    await open(userid, viewport);
    // The demo's daily waste limit of 奶油 and of 牛奶 in 一店 is 3 盒: 5 is held for review.
    await send(`报损 ${sku} 5盒`);
    const card = page.locator('.card', { hasText: '报损待确认' }).last();
    await card.waitFor();
    const rows = await card.locator('dl').innerText();
    expect(rows).not.toContain('[object');
    expect(await card.locator('dt').count()).toBeGreaterThan(1);
    expect(await card.locator('dt').first().innerText()).not.toBe('');
    const picker = card.locator('select[name="reason"]');
    expect(await picker.isVisible()).toBe(true);
    expect(await card.locator('label', { hasText: '原因' }).isVisible()).toBe(true);
    const options = await picker.locator('option').allInnerTexts();
    expect(options).toEqual(expect.arrayContaining(['过期', '破损', '变质']));
    await picker.selectOption({ label: '变质' });
    await page.screenshot({ path: `/tmp/sandbox-waste-card-${name}.png` });
    await card.locator('button', { hasText: '确认报损' }).click();
    await page.locator('.msg.bot .bubble', { hasText: `已报损 ${sku} 5盒（变质）` }).waitFor();
    const hold = await app.db.stockLossHold.findFirstOrThrow({ where: { staffUserid: userid }, orderBy: { id: 'desc' } });
    expect(hold).toMatchObject({ status: 'booked', reason: '变质' });
  });

  it('shows a photo the bot sends (a handover item’s, to the incoming colleague) as the photo', async () => {
    await open(userid, viewport);
    // What the handover does for each photo: upload it again and send it as an image message.
    const { media_id } = await app.wecom.uploadMedia('image', PNG, '冰箱.png', 'image/png');
    await app.wecom.sendMessage({ touser: userid, msgtype: 'image', image: { media_id } });
    const photo = page.locator('.msg.bot img.sent-photo');
    await photo.waitFor();
    expect(await photo.getAttribute('src')).toBe(`/sandbox/api/media/${media_id}`);
    expect(await photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    expect(await page.locator('.msg.bot .bubble', { hasText: '[image]' }).count()).toBe(0);
  });
});
