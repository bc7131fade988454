import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { startBot } from '../../src/main';
import type { FakeWecom } from '../../src/sandbox/fake-wecom';
import { openTestDatabase } from './database';

/** Debian's Chromium (the CI script installs it), never a browser download. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * How long a browser test's teardown (closing Chromium, stopping the bot after its in-flight jobs
 * and sends) may take: on a 2-core CI machine beside the simulation's test it has taken over a minute.
 */
export const BROWSER_TEARDOWN_MS = 180_000;

/**
 * The bot in sandbox mode on a loopback port of its own, on a test database, and a headless
 * Chromium to drive its pages. `env` adds settings; with a DATABASE_URL of its own (`pglite:<dir>`)
 * the bot opens that database itself, as `npm start` does. Photos go to a throw-away MEDIA_DIR
 * unless the test names one, never to the checkout's ./data.
 */
export async function startSandboxWithBrowser(env: Record<string, string> = {}): Promise<{ app: App; fake: FakeWecom; base: string; browser: Browser }> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install chromium (the CI script does)`);
  const port = await freePort();
  const started = await startBot(loadConfig({ PORT: String(port), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', MEDIA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-media-')), ...env }), {
    database: env.DATABASE_URL ? undefined : await openTestDatabase(),
  });
  // Jobs do not fire on the wall clock here, as in the harness: a test runs the ones it needs with
  // runJob, and no job a minute boundary starts (members.runCampaigns on the demo's members) is still
  // in flight when the test stops the bot.
  await started.app.scheduler.stop();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return { app: started.app, fake: started.fake!, base: `http://127.0.0.1:${port}`, browser };
}
