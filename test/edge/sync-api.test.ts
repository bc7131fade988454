import crypto from 'node:crypto';
import { signSync, syncSigningString } from '../../src/edge/sync';
import { masterDataFeature } from '../../src/features/masterdata';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';

/** The signed sync API a POS, ERP or WMS posts documents to. */
const ERP_SECRET = 'erp-secret-0123456789';
const clock = new TestClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [masterDataFeature], clock, env: { SYNC_KEYS: `erp:${ERP_SECRET},pos:pos-secret-0123456789` } });
});
afterAll(() => h.stop());

function signed(document: string, body: string, opts: { source?: string; secret?: string; timestamp?: number; nonce?: string } = {}) {
  const timestamp = String(opts.timestamp ?? Math.floor(clock.now().getTime() / 1000));
  const nonce = opts.nonce ?? crypto.randomUUID();
  const path = `/api/sync/${document}`;
  const signature = signSync(opts.secret ?? ERP_SECRET, syncSigningString(timestamp, nonce, 'POST', path, body));
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-sync-source': opts.source ?? 'erp', 'x-sync-timestamp': timestamp, 'x-sync-nonce': nonce, 'x-sync-signature': signature },
  });
}

const STORES = JSON.stringify([
  { code: 'S001', name: '一店', area: '华东区' },
  { code: 'S002', name: '二店' },
]);

it('imports a signed master-data document', async () => {
  const res = await signed('stores', STORES);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ kind: 'stores', rows: 2, created: 2, updated: 0 });
  expect(await h.app.db.store.count()).toBe(2);
});

it('answers a document with bad rows with 400 listing every problem, and writes nothing', async () => {
  const res = await signed(
    'staff',
    JSON.stringify([
      { userid: 'a', name: '甲', store: 'S001', role: '店员' },
      { userid: 'b', name: '乙', store: 'S404', role: '店员' },
      { name: '无名', role: 'x' },
    ]),
  );
  expect(res.status).toBe(400);
  const answer = await res.json();
  expect(answer.error).toBe('invalid_document');
  expect(answer.problems.map((p: { line: number }) => p.line)).toEqual([2, 3, 3]);
  expect(await h.app.db.staff.count()).toBe(0);
});

it('refuses bad signatures, unknown sources, stale timestamps and replays', async () => {
  const expectRefused = async (res: Response, status: number, error: string) => {
    expect(res.status).toBe(status);
    expect((await res.json()).error).toBe(error);
  };
  await expectRefused(await signed('stores', STORES, { secret: 'not-the-secret-000000' }), 401, 'signature_mismatch');
  await expectRefused(await signed('stores', STORES, { source: 'wms' }), 401, 'unknown_source');
  await expectRefused(await signed('stores', STORES, { timestamp: Math.floor(clock.now().getTime() / 1000) - 3600 }), 401, 'stale_timestamp');
  const nonce = crypto.randomUUID();
  expect((await signed('stores', STORES, { nonce })).status).toBe(200);
  await expectRefused(await signed('stores', STORES, { nonce }), 409, 'replayed');
  await expectRefused(await signed('invoices', '[]'), 404, 'unknown_document');
  // The signature covers the body: headers signed for one body do not carry another.
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  const signature = signSync(ERP_SECRET, syncSigningString(timestamp, 'nonce-tamper', 'POST', '/api/sync/stores', STORES));
  const headers = { 'x-sync-source': 'erp', 'x-sync-timestamp': timestamp, 'x-sync-nonce': 'nonce-tamper', 'x-sync-signature': signature };
  await expectRefused(await fetch(`${h.url}/api/sync/stores`, { method: 'POST', body: '[{"code":"S666","name":"伪造"}]', headers }), 401, 'signature_mismatch');
  await expectRefused(await fetch(`${h.url}/api/sync/stores`, { method: 'POST', body: '[]', headers: { ...headers, 'x-sync-signature': 'zz' } }), 401, 'bad_headers');
});

it('is off unless SYNC_KEYS names a source', async () => {
  const off = await startHarness({ features: [masterDataFeature] });
  try {
    expect((await fetch(`${off.url}/api/sync/stores`, { method: 'POST', body: '[]' })).status).toBe(404);
  } finally {
    await off.stop();
  }
});
