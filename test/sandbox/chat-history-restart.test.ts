import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/app';
import { startSandboxWithBrowser } from '../helpers/sandbox-browser';

/**
 * The sandbox's chat outlives a restart on the same database (`pglite:<dir>`, as `npm start`
 * keeps ./data): what the visitor sent, the bot's answers, a card as it was rewritten and a photo
 * all show again, and the chat goes on from there.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-restart-'));
const env = { DATABASE_URL: `pglite:${dir}` };
let running: { app: App; base: string; browser: Browser } | null = null;
let page: Page;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function start() {
  running = await startSandboxWithBrowser(env);
  page = await running.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${running.base}/sandbox`);
  await page.waitForSelector('#persona option', { state: 'attached' });
  await page.selectOption('#persona', 'chenjing');
}
async function stop() {
  await running?.browser.close();
  await running?.app.stop();
  running = null;
}
afterAll(async () => {
  await stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function say(text: string) {
  await page.fill('#text-input', text);
  await page.click('#send-btn');
}

it('shows the chat again after a restart on the same database, and goes on from there', async () => {
  await start();
  // The demo campaign asks 陈静 (a member's owner) to confirm coupons at its first minute's run,
  // which may fall after the restart: run it now, so the chat before the restart already has it.
  await running!.app.scheduler.runJob(
    running!.app.bot.jobs.find((j) => j.name === 'members.runCampaigns')!,
    new Date(),
  );
  await page.locator('.msg.bot .bubble', { hasText: '【会员活动】' }).waitFor();
  await say('帮助');
  await page.locator('.msg.bot .bubble', { hasText: '我能帮你做这些' }).waitFor();
  await say('演示卡片');
  const card = page.locator('.card', { hasText: '这是一张互动卡片' });
  await card.locator('button', { hasText: '稍后' }).click();
  await card.locator('.replaced', { hasText: '已选择：稍后' }).waitFor();
  await page.locator('.msg.bot .bubble', { hasText: '收到，你点了「稍后」' }).waitFor();
  await page.setInputFiles('#image-input', { name: '冰箱.png', mimeType: 'image/png', buffer: PNG });
  await page.locator('.msg.me img[alt="冰箱.png"]').waitFor();
  await page.locator('.msg.bot .bubble', { hasText: '收到照片' }).waitFor();
  const before = await page.locator('#messages .msg').allTextContents();
  await stop();

  await start();
  // The same lines in the same order, the card still as it was answered, the photo still there.
  await page.locator('.msg.bot .bubble', { hasText: '收到，你点了「稍后」' }).waitFor();
  expect(await page.locator('#messages .msg').allTextContents()).toEqual(before);
  await page.locator('.card', { hasText: '这是一张互动卡片' }).locator('.replaced', { hasText: '已选择：稍后' }).waitFor();
  await page.waitForFunction(() => (document.querySelector('.msg.me img[alt="冰箱.png"]') as HTMLImageElement | null)?.naturalWidth === 1);
  // And the chat goes on: a new question is answered below the old ones.
  await say('查库存 奶油');
  await page.locator('.msg.bot .bubble', { hasText: '二店 · 滨江路 奶油 现有' }).waitFor();
  expect((await page.locator('#messages .msg').allTextContents()).slice(0, before.length)).toEqual(before);
}, 180_000);
