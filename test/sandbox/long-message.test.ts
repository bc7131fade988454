import type { Browser, Page } from 'playwright-core';
import { startSandboxWithBrowser, BROWSER_TEARDOWN_MS } from '../helpers/sandbox-browser';
import type { App } from '../../src/app';
import { TEXT_LIMIT_BYTES } from '../../src/sandbox';

/** A message longer than WeCom takes is refused in Chinese, saying the limit, and stays in the box. */
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

it('refuses a 5,000-character message in Chinese with WeCom’s limit, and sends nothing', async () => {
  const texts = () => app.db.inboundMessage.count({ where: { msgType: 'text' } });
  const before = await texts();
  page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${base}/sandbox`);
  await page.waitForSelector('#persona option', { state: 'attached' });
  const text = '盘'.repeat(5000);
  await page.fill('#text-input', text);
  await page.click('#send-btn');
  const note = page.locator('.msg .bubble.action', { hasText: '消息太长' });
  await note.waitFor();
  expect(await note.innerText()).toBe(`发送失败：消息太长：企业微信一条文字消息最多 ${TEXT_LIMIT_BYTES} 字节（约 682 个汉字），这条有 5000 个字、15000 字节。请分几条发送。`);
  expect(await page.inputValue('#text-input')).toBe(text);
  expect(await texts()).toBe(before);
  // The note stays where it was said when the bot's next answer redraws the chat.
  await page.fill('#text-input', '帮助');
  await page.click('#send-btn');
  await page.locator('.msg.bot .bubble', { hasText: '我能帮你做这些' }).waitFor();
  expect(await note.count()).toBe(1);

  const answer = await fetch(`${base}/sandbox/api/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'text', user: 'liqiang', content: 'a'.repeat(TEXT_LIMIT_BYTES + 1) }),
  });
  expect(answer.status).toBe(400);
  expect(await answer.json()).toMatchObject({ error: 'text_too_long' });
  // At the limit it goes through.
  const atLimit = await fetch(`${base}/sandbox/api/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'text', user: 'liqiang', content: 'a'.repeat(TEXT_LIMIT_BYTES) }),
  });
  expect(atLimit.status).toBe(200);
});
