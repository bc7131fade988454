import crypto from 'node:crypto';
import { loadConfig } from '../../src/config';
import { startBot } from '../../src/main';
import { FakeWecom } from '../../src/sandbox/fake-wecom';
import { openTestDatabase } from '../helpers/database';
import { randomKeys } from '../helpers/wecom-callback';

/** With real credentials the bot starts as in production: no page, no fake API on our server. */
it('serves neither the sandbox page nor the fake WeCom API', async () => {
  const keys = randomKeys();
  const secret = crypto.randomBytes(8).toString('hex');
  const fake = new FakeWecom({ corpId: keys.corpId, secret, agentId: 1000002 });
  const fakeServer = await fake.listen();
  const config = loadConfig({
    PORT: '0',
    NODE_ENV: 'production',
    WECOM_CORP_ID: keys.corpId,
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: secret,
    WECOM_TOKEN: keys.token,
    WECOM_ENCODING_AES_KEY: keys.encodingAesKey,
    WECOM_API_BASE: fakeServer.url,
    LOG_LEVEL: 'silent',
  });
  expect(config.sandbox).toBeNull();
  const { app, port, fake: sandboxFake } = await startBot(config, { database: await openTestDatabase() });
  try {
    expect(sandboxFake).toBeNull();
    const base = `http://127.0.0.1:${port}`;
    for (const path of ['/sandbox', '/sandbox/app.js', '/sandbox/api/state?user=liqiang', '/sandbox/wecom/cgi-bin/gettoken?corpid=x&corpsecret=y']) {
      expect((await fetch(`${base}${path}`)).status).toBe(404);
    }
    expect((await fetch(`${base}/sandbox/api/send`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await app.db.store.count()).toBe(0); // no demo data either
  } finally {
    await app.stop();
    await fakeServer.close();
  }
});
