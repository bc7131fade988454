import { startHarness, type Harness } from '../helpers/harness';

/** With real credentials the sandbox does not exist: no page, no fake API on our server. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

it('serves neither the sandbox page nor the fake WeCom API', async () => {
  for (const path of ['/sandbox', '/sandbox/app.js', '/sandbox/api/state?user=liqiang', '/sandbox/wecom/cgi-bin/gettoken?corpid=x&corpsecret=y']) {
    expect((await fetch(`${h.url}${path}`)).status).toBe(404);
  }
  const res = await fetch(`${h.url}/sandbox/api/send`, { method: 'POST', body: '{}' });
  expect(res.status).toBe(404);
});
