import { startHarness, type Harness } from '../helpers/harness';
import { seal } from '../helpers/wecom-callback';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

it('answers the echostr check with the bare plaintext', async () => {
  // An echostr with '+' and '/' must survive exactly one URL-decoding.
  let env = seal(h.keys, '1616140317555161061');
  while (!/[+/]/.test(env.ciphertext)) env = seal(h.keys, '1616140317555161061');
  const res = await h.get({ ...env.query, echostr: env.ciphertext });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(await res.text()).toBe('1616140317555161061');
});

it('refuses the check with a wrong signature or a foreign corp id', async () => {
  const env = seal(h.keys, '123');
  expect((await h.get({ ...env.query, msg_signature: '0'.repeat(40), echostr: env.ciphertext })).status).toBe(401);
  const foreign = seal({ ...h.keys, corpId: 'wwother' }, '123');
  expect((await h.get({ ...foreign.query, echostr: foreign.ciphertext })).status).toBe(403);
  expect((await h.get({ ...env.query })).status).toBe(400);
});

it('serves health, readiness and metrics', async () => {
  expect(await (await fetch(`${h.url}/healthz`)).json()).toEqual({ status: 'ok' });
  expect(await (await fetch(`${h.url}/readyz`)).json()).toEqual({ status: 'ready' });
  const metrics = await (await fetch(`${h.url}/metrics`)).text();
  expect(metrics).toContain('wecom_inbound_total');
  expect(metrics).toContain('outbox_depth{status="pending"} 0');
});

it('guards /metrics with METRICS_TOKEN when one is set', async () => {
  const guarded = await startHarness({ env: { METRICS_TOKEN: 'scrape-me' } });
  try {
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })).status).toBe(200);
  } finally {
    await guarded.stop();
  }
});
