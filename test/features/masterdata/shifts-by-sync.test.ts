import crypto from 'node:crypto';
import { signSync, syncSigningString } from '../../../src/edge/sync';
import { masterDataFeature } from '../../../src/features/masterdata';
import { importMasterData } from '../../../src/features/masterdata/import';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';

/** The scheduling system posts the shift schedule as the signed sync document `shifts`. */
const SECRET = 'wfm-secret-0123456789';
const clock = new TestClock();
let h: Harness;
beforeAll(async () => {
  // A chain in Berlin: the document's wall-clock times are Berlin's.
  h = await startHarness({ features: [masterDataFeature], clock, env: { SYNC_KEYS: `wfm:${SECRET}`, APP_TIMEZONE: 'Europe/Berlin' } });
  await importMasterData(h.app.db, 'stores', 'code,name\nB1,Mitte\n', 'csv');
  await importMasterData(h.app.db, 'staff', 'userid,name,store,role\nanna,Anna,B1,店员\n', 'csv');
});
afterAll(() => h.stop());

function post(body: string) {
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  const nonce = crypto.randomUUID();
  const signature = signSync(SECRET, syncSigningString(timestamp, nonce, 'POST', '/api/sync/shifts', body));
  return fetch(`${h.url}/api/sync/shifts`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-sync-source': 'wfm', 'x-sync-timestamp': timestamp, 'x-sync-nonce': nonce, 'x-sync-signature': signature },
  });
}

it('imports the schedule in the chain time zone, and lists every bad row with 400', async () => {
  const ok = await post(JSON.stringify([{ store_code: 'B1', userid: 'anna', starts_at: '2026-11-26 08:00', ends_at: '2026-11-26 16:00' }]));
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ kind: 'shifts', rows: 1, created: 1, updated: 0 });
  expect(await h.app.db.shift.findFirstOrThrow()).toMatchObject({ startsAt: new Date('2026-11-26T07:00:00Z'), endsAt: new Date('2026-11-26T15:00:00Z') });

  const bad = await post(
    JSON.stringify([
      { store_code: 'B1', userid: 'anna', starts_at: '2026-11-27 16:00', ends_at: '2026-11-27 08:00' },
      { store_code: 'B1', userid: 'otto', starts_at: '2026-11-27 08:00', ends_at: '2026-11-27 12:00' },
    ]),
  );
  expect(bad.status).toBe(400);
  expect((await bad.json()).problems).toEqual([
    { line: 1, message: '下班时间必须晚于上班时间' },
    { line: 2, message: '员工 otto 不存在：先导入员工（npm run admin -- import staff …）' },
  ]);
  expect(await h.app.db.shift.count()).toBe(1);
});
