import type { Browser, Page } from 'playwright-core';
import { startSandboxWithBrowser, BROWSER_TEARDOWN_MS } from '../helpers/sandbox-browser';
import type { App } from '../../src/app';
import type { FakeWecom } from '../../src/sandbox/fake-wecom';

/**
 * The sandbox's members panel lists every demo member and says how many, and leaves the chat's
 * send button where it can be tapped, at phone width (390×844) and on a laptop.
 */
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
afterEach(() => page?.close());

/** Whether a tap in the middle of the element reaches it (nothing drawn over it). */
const reachable = (selector: string) =>
  page.evaluate((sel) => {
    const node = document.querySelector(sel)!;
    const box = node.getBoundingClientRect();
    const x = box.left + box.width / 2;
    const y = box.top + box.height / 2;
    return x >= 0 && y >= 0 && x <= window.innerWidth && y <= window.innerHeight && node.contains(document.elementFromPoint(x, y));
  }, selector);

it.each([
  ['phone', { width: 390, height: 844 }],
  ['desktop', { width: 1280, height: 800 }],
])('on a %s: shows all the members with their number, and the send button stays usable', async (name, viewport) => {
  const contacts = await app.db.member.count();
  expect(contacts).toBe(200);
  page = await browser.newPage({ viewport });
  await page.goto(`${base}/sandbox`);
  await page.waitForSelector('#persona option', { state: 'attached' });
  await page.click('#toggle-members');
  await page.locator('#member-count', { hasText: `共 ${contacts} 位会员` }).waitFor();
  expect(await page.locator('#member-list .member').count()).toBe(contacts);
  await page.screenshot({ path: `/tmp/sandbox-members-${name}.png` });
  expect(await reachable('#send-btn')).toBe(true);
  expect(await reachable('#text-input')).toBe(true);
  // The chat still works with the panel open: one more answer than the persona had (both cases chat as the same one).
  const persona = await page.locator('#persona').inputValue();
  const answered = fake.inbox(persona).filter((m) => String(m.body.content ?? '').includes('我能帮你做这些')).length;
  await page.fill('#text-input', '帮助');
  await page.click('#send-btn');
  await page.waitForFunction((n) => Array.from(document.querySelectorAll('.msg.bot .bubble')).filter((b) => b.textContent!.includes('我能帮你做这些')).length === n, answered + 1);

  await page.fill('#member-search', 'M0001');
  await page.locator('#member-count', { hasText: `（共 ${contacts} 位会员）` }).waitFor();
  const found = await page.locator('#member-list .member').count();
  expect(await page.locator('#member-count').innerText()).toBe(`找到 ${found} 位（共 ${contacts} 位会员）`);
  await page.click('#close-members');
  expect(await page.locator('#members').isVisible()).toBe(false);
});
