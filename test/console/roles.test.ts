import { consoleMiddleware } from '../../src/console';
import { FEATURES } from '../../src/features';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMediaStore } from '../../src/platform/media';
import { importMasterData } from '../../src/features/masterdata/import';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { member, seedHandoverAndCount, signIn, type Member } from './helpers';

/**
 * Every console API checks the role server-side: a store manager sees their store, an area
 * manager their area's stores, an admin all; anyone else nothing. A store outside what a member
 * may see is 403 from every API, whatever the request.
 */
const clock = new TestClock(new Date('2026-11-25T02:00:00Z').getTime());
let h: Harness;
const as: Record<string, Member> = {};
const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-roles-'));
/** Each store's handover (with a photo) and count: the rows its detail and photo APIs name. */
const seeded: Record<string, Awaited<ReturnType<typeof seedHandoverAndCount>>> = {};
/** Each store's held waste entry, waiting for its manager. */
const holds: Record<string, bigint> = {};
beforeAll(async () => {
  h = await startHarness({ features: FEATURES, clock, middleware: consoleMiddleware, env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40), MEDIA_DIR: mediaDir } });
  await importMasterData(h.app.db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\nS3,三店,华南区\n', 'csv');
  await importMasterData(
    h.app.db,
    'staff',
    'userid,name,store,role,area\nboss,总部,,管理员,\neast,刘经理,,区域经理,华东区\nsouth,黄经理,,区域经理,华南区\nm2,吴店长,S2,店长,\nclerk,店员甲,S1,店员,\n',
    'csv',
  );
  for (const score of [
    { storeCode: 'S1', points: 80 },
    { storeCode: 'S2', points: 70 },
    { storeCode: 'S3', points: 60 },
  ]) {
    await h.app.db.storeScore.create({ data: { ...score, month: '2026-10', availablePoints: 100, complete: true, parts: [], computedAt: clock.now() } });
  }
  for (const code of ['S1', 'S2', 'S3']) seeded[code] = await seedHandoverAndCount(h.app.db, createMediaStore(h.app.config.media), code, clock.now());
  await importMasterData(h.app.db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\n', 'csv');
  for (const code of ['S1', 'S2', 'S3']) {
    const at = clock.now();
    const hold = await h.app.db.stockLossHold.create({
      data: { sourceKey: `roles:${code}`, storeCode: code, skuCode: 'MILK', quantity: 12, staffUserid: 'clerk', occurredAt: at, dayTotal: 12, dayLimit: 5, needsManager: true, createdAt: at },
    });
    holds[code] = hold.id;
  }
  for (const userid of ['boss', 'east', 'south', 'm2']) as[userid] = await signIn(h, userid);
  // A 店员 cannot sign in; a session for one (had they been demoted after signing in) must still see nothing.
  await h.app.db.staff.update({ where: { userid: 'south' }, data: { role: 'staff', area: null, storeCode: 'S3' } });
  as.demoted = as.south;
  as.nobody = member(h);
  // Five sign-ins through OAuth and the fake WeCom: slow on a busy CI machine.
}, 90_000);
afterAll(async () => {
  await h.stop();
  fs.rmSync(mediaDir, { recursive: true, force: true });
});

/** The row a section's detail opens, in this store (a store that does not exist borrows S1's). */
function detailRow(sectionKey: string, code: string): bigint {
  const rows = seeded[code] ?? seeded.S1;
  const ids: Record<string, bigint> = { counts: rows.countId, handovers: rows.handoverId };
  if (!(sectionKey in ids)) throw new Error(`section ${sectionKey} has a detail: give this test a row of it`);
  return ids[sectionKey];
}

/** Every store-scoped API of the console, for one store. */
const storeApis = (code: string) => [
  { method: 'GET', path: `/console/api/stores/${code}` },
  { method: 'GET', path: `/console/api/stores/${code}/score` },
  { method: 'GET', path: `/console/api/stores/${code}/members` },
  { method: 'GET', path: `/console/api/stores/${code}/staff` },
  { method: 'POST', path: `/console/api/stores/${code}/tasks` },
  ...h.app.bot.consoleSections.flatMap((s) => [
    { method: 'GET', path: `/console/api/stores/${code}/sections/${s.key}` },
    { method: 'GET', path: `/console/api/stores/${code}/sections/${s.key}?format=csv` },
    { method: 'POST', path: `/console/api/stores/${code}/sections/${s.key}/rows/1/done` },
    ...(s.detail
      ? [
          { method: 'GET', path: `/console/api/stores/${code}/sections/${s.key}/rows/${detailRow(s.key, code)}` },
          { method: 'GET', path: `/console/api/stores/${code}/sections/${s.key}/rows/${detailRow(s.key, code)}?format=csv` },
        ]
      : []),
  ]),
  { method: 'GET', path: `/console/api/stores/${code}/photos/${(seeded[code] ?? seeded.S1).photoId}` },
  // A held waste entry of this store (S1's for one that does not exist): 批准 / 驳回.
  { method: 'POST', path: `/console/api/stores/${code}/loss-holds/${holds[code] ?? holds.S1}/approve`, body: { requestId: 'roles-test-approve' } },
  { method: 'POST', path: `/console/api/stores/${code}/loss-holds/${holds[code] ?? holds.S1}/reject`, body: { requestId: 'roles-test-reject' } },
];
const call = (m: Member, api: { method: string; path: string; body?: unknown }) => (api.method === 'GET' ? m.get(api.path) : m.post(api.path, api.body));

it.each([
  ['boss', ['S1', 'S2', 'S3'], []],
  ['east', ['S1', 'S2'], ['S3']],
  ['m2', ['S2'], ['S1', 'S3']],
  ['demoted', [], ['S1', 'S2', 'S3']],
])('%s: may see %j, and gets 403 from every API of %j', async (who, visible, hidden) => {
  const m = as[who];
  for (const code of hidden) {
    for (const api of storeApis(code)) expect([api.path, (await call(m, api)).status]).toEqual([api.path, 403]);
  }
  for (const code of visible) {
    for (const api of storeApis(code).filter((a) => a.method === 'GET')) expect([api.path, (await call(m, api)).status]).toEqual([api.path, 200]);
  }
});

it('answers 403 for a store that does not exist, as for one that is not yours', async () => {
  for (const api of storeApis('NOPE')) expect((await call(as.m2, api)).status).toBe(403);
});

it('answers a path no feature registered under a store 403 when the store is not yours, else 404', async () => {
  for (const path of ['/console/api/stores/S1/loss-holds/1/maybe', '/console/api/stores/S1/nothing']) {
    expect((await as.m2.post(path, { requestId: 'roles-test-unknown' })).status).toBe(403);
    expect((await as.east.post(path, { requestId: 'roles-test-unknown' })).status).toBe(404);
  }
});

it('ranks only the stores a member may see', async () => {
  const stores = async (m: Member) => ((await (await m.get('/console/api/ranking?month=2026-10')).json()) as { rows: { id: string }[] }).rows.map((r) => r.id);
  expect(await stores(as.boss)).toEqual(['S1', 'S2', 'S3']);
  expect(await stores(as.east)).toEqual(['S1', 'S2']);
  expect(await stores(as.m2)).toEqual(['S2']);
  const csv = await (await as.east.get('/console/api/ranking?month=2026-10&format=csv')).text();
  expect(csv.split('\r\n').length).toBeGreaterThan(0);
  expect(csv).toContain('一店');
  expect(csv).not.toContain('三店');
});

it('gives nobody without a session anything (401), and a 店员 session nothing (403)', async () => {
  const apis = [
    { method: 'GET', path: '/console/api/me' },
    { method: 'GET', path: '/console/api/ranking' },
    { method: 'GET', path: '/console/api/members' },
    { method: 'GET', path: '/console/api/anything' },
    ...storeApis('S1'),
  ];
  for (const api of apis) expect([api.path, (await call(as.nobody, api)).status]).toEqual([api.path, 401]);
  for (const api of apis) expect([api.path, (await call(as.demoted, api)).status]).toEqual([api.path, 403]);
});

it('refuses a state-changing request without the session CSRF token or from another origin', async () => {
  const path = `/console/api/stores/S2/sections/${h.app.bot.consoleSections[0].key}/rows/1/done`;
  expect((await as.m2.post(path, {}, { 'x-csrf-token': '' })).status).toBe(403);
  expect((await as.m2.post(path, {}, { 'x-csrf-token': as.boss.csrf })).status).toBe(403);
  expect((await as.m2.post(path, {}, { origin: 'https://evil.example.com' })).status).toBe(403);
  expect((await as.m2.post(path, {})).status).not.toBe(403);
});

it('decided no held waste entry through any of the refused requests', async () => {
  const rows = await h.app.db.stockLossHold.findMany({ where: { id: { in: Object.values(holds) } } });
  expect(rows.map((r) => [r.storeCode, r.status, r.managerApprovedAt])).toEqual([
    ['S1', 'pending', null],
    ['S2', 'pending', null],
    ['S3', 'pending', null],
  ]);
});
