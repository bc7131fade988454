import { consoleMiddleware } from '../../src/console';
import { membersFeature } from '../../src/features/members';
import { campaignResults } from '../../src/features/members/results';
import { importMasterData } from '../../src/features/masterdata/import';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { signIn, type Member } from './helpers';

/**
 * Members' segments and campaign results in the console, on known data: the figures are those
 * of results.ts over the stores the viewer may see, and a campaign across stores shows each
 * viewer only their stores' part of it.
 */
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z'));
const DAY = 86_400_000;
const at = (daysAgo: number) => new Date(clock.now().getTime() - daysAgo * DAY);
let h: Harness;
const as: Record<string, Member> = {};

/** A member of a campaign: arm, status, and a coupon code for the treated. */
const placed = (campaignId: string, memberCode: string, arm: 'treated' | 'holdout', status: string) => ({
  campaignId,
  memberCode,
  arm,
  status: arm === 'holdout' ? 'holdout' : status,
  couponCode: arm === 'treated' ? `${campaignId}-${memberCode}` : null,
  validFrom: at(10),
  validUntil: at(3),
  assignedAt: at(10),
});
const order = (orderId: string, memberCode: string, storeCode: string, amount: number, opts: { daysAgo?: number; discount?: number; coupon?: string; cost?: number } = {}) => ({
  orderId,
  memberCode,
  storeCode,
  orderedAt: at(opts.daysAgo ?? 9),
  amount,
  discount: opts.discount ?? 0,
  couponCode: opts.coupon ?? null,
  lines: [{ sku: 'T1', category: '奶茶', quantity: 1, amount, ...(opts.cost === undefined ? {} : { cost: opts.cost }) }],
  receivedAt: clock.now(),
});

beforeAll(async () => {
  h = await startHarness({ features: [membersFeature], clock, middleware: consoleMiddleware, env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40) } });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\nS3,三店,华南区\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role,area\nboss,总部,,管理员,\neast,刘经理,,区域经理,华东区\nm1,周店长,S1,店长,\n', 'csv');
  const codes = { S1: ['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A09', 'A10'], S2: ['B01', 'B02', 'B03', 'B04', 'B05', 'B06'], S3: ['C01', 'C02', 'C03', 'C04'] };
  await db.member.createMany({ data: Object.entries(codes).flatMap(([store, list]) => list.map((code) => ({ code, homeStore: store, createdAt: at(100), updatedAt: at(100) }))) });
  await db.memberTag.createMany({
    data: [
      ...['A04', 'A05', 'A06', 'A07', 'A08', 'A09', 'A10', 'C01', 'C02', 'C03', 'C04', 'B05'].map((memberCode) => ({ memberCode, tag: '潜在流失', since: at(5) })),
      ...['A01', 'A02', 'B01'].map((memberCode) => ({ memberCode, tag: '高甜偏好', since: at(5) })),
    ],
  });
  const campaign = (id: string, name: string) => ({ id, name, priority: 1, status: 'finished', definition: {}, createdAt: at(11), updatedAt: at(11) });
  await db.campaign.createMany({ data: [campaign('winback', '老客召回'), campaign('south', '华南甜品券'), campaign('unused', '没发出的活动')] });
  await db.campaignMember.createMany({
    data: [
      // 一店: 6 treated (4 delivered, 1 waiting for its owner, 1 failed), 4 holdout.
      ...['A01', 'A02', 'A03', 'A04'].map((m) => placed('winback', m, 'treated', 'delivered')),
      placed('winback', 'A05', 'treated', 'awaiting_confirmation'),
      placed('winback', 'A06', 'treated', 'failed'),
      ...['A07', 'A08', 'A09', 'A10'].map((m) => placed('winback', m, 'holdout', 'holdout')),
      // 二店 and 三店 in the same campaign, with figures of their own.
      ...['B01', 'B02', 'B03', 'B04'].map((m) => placed('winback', m, 'treated', 'delivered')),
      ...['B05', 'B06'].map((m) => placed('winback', m, 'holdout', 'holdout')),
      placed('winback', 'C01', 'treated', 'delivered'),
      placed('winback', 'C02', 'holdout', 'holdout'),
      // A campaign of 三店 only.
      ...['C03', 'C04'].map((m) => placed('south', m, 'treated', 'delivered')),
    ],
  });
  await db.memberOrder.createMany({
    data: [
      // 一店: A01 and A02 redeem (25 paid, 5 off, cost 10); A03 buys without the coupon; holdout A07 buys; A05 last came 40 days ago.
      order('O-A01', 'A01', 'S1', 25, { discount: 5, coupon: 'winback-A01', cost: 10 }),
      order('O-A02', 'A02', 'S1', 25, { discount: 5, coupon: 'winback-A02', cost: 10 }),
      order('O-A03', 'A03', 'S1', 40, { cost: 16 }),
      order('O-A07', 'A07', 'S1', 30, { cost: 12 }),
      order('O-A05', 'A05', 'S1', 20, { daysAgo: 40 }),
      // 二店: a big redemption that must not show in 一店's figures.
      order('O-B01', 'B01', 'S2', 100, { discount: 20, coupon: 'winback-B01', cost: 30 }),
      order('O-C01', 'C01', 'S3', 60, { discount: 10, coupon: 'winback-C01', cost: 20 }),
      order('O-C03', 'C03', 'S3', 50, { discount: 8, coupon: 'south-C03', cost: 20 }),
    ],
  });
  for (const userid of ['boss', 'east', 'm1']) as[userid] = await signIn(h, userid);
}, 90_000);
afterAll(() => h.stop());

type Overview = {
  members: number;
  active30d: number;
  activeShare: number;
  stores: { code: string; members: number; active30d: number }[];
  segments: { tag: string; members: number; active30d: number }[];
  campaigns: { id: string; stores: string[]; results: Awaited<ReturnType<typeof campaignResults>> }[];
};
const json = async <T>(m: Member, path: string) => {
  const res = await m.get(path);
  expect([path, res.status]).toEqual([path, 200]);
  return (await res.json()) as T;
};

it("shows a store's members by tag and their 30-day activity, counting only that store's members", async () => {
  const o = await json<Overview>(as.m1, '/console/api/stores/S1/members');
  // A01, A02, A03 and A07 came in the last 30 days; A05 40 days ago.
  expect(o).toMatchObject({ members: 10, active30d: 4, activeShare: 0.4 });
  expect(o.segments).toEqual([
    { tag: '潜在流失', members: 7, share: 0.7, active30d: 1, activeShare: 0.1429 },
    { tag: '高甜偏好', members: 2, share: 0.2, active30d: 2, activeShare: 1 },
  ]);
  const section = await json<{ summary: string; rows: { cells: Record<string, unknown> }[] }>(as.m1, '/console/api/stores/S1/sections/memberSegments');
  expect(section.summary).toBe('本店会员 10 人，30 天内到店 4 人（活跃率 40%）。');
  expect(section.rows.map((r) => r.cells)).toEqual([
    { tag: '潜在流失', members: 7, share: 70, active30d: 1, activeShare: 14.3 },
    { tag: '高甜偏好', members: 2, share: 20, active30d: 2, activeShare: 100 },
  ]);
});

it("gives a store manager a shared campaign's results over their store's members only, as results.ts computes them", async () => {
  const o = await json<Overview>(as.m1, '/console/api/stores/S1/members');
  expect(o.campaigns.map((c) => c.id)).toEqual(['winback']); // not 三店's campaign, not the one never sent
  const r = o.campaigns[0].results!;
  expect(r).toEqual(await campaignResults(h.app.db, 'winback', { stores: ['S1'] }));
  // By hand: 6 treated (3 bought: A01, A02 with the coupon, A03 without), 4 holdout (A07 bought).
  expect(r).toMatchObject({ sent: 6, delivered: 4, failed: 1, awaitingConfirmation: 1, redeemed: 2, redemptionRate: 0.3333, redeemerRevenue: 50, redeemerMargin: 30, couponCost: 10 });
  expect(r.treated).toEqual({ members: 6, purchasers: 3, repeatRate: 0.5, revenuePerMember: 15 });
  expect(r.holdout).toEqual({ members: 4, purchasers: 1, repeatRate: 0.25, revenuePerMember: 7.5 });
  const se = Math.sqrt((0.5 * 0.5) / 6 + (0.25 * 0.75) / 4);
  expect(r.uplift.repeatRate.difference).toBeCloseTo(0.25, 4);
  expect(r.uplift.repeatRate.low).toBeCloseTo(0.25 - 1.959964 * se, 4);
  expect(r.uplift.repeatRate.high).toBeCloseTo(0.25 + 1.959964 * se, 4);
  // Incremental revenue 7.5 × 6 = 45 at the treated orders' margin rate (15 + 15 + 24) / 90 = 0.6: 27; ROI (27 − 10) / 10.
  expect(r.uplift).toMatchObject({ incrementalRevenue: 45, incrementalMargin: 27, roi: 1.7 });

  const section = await json<{ rows: { id: string; cells: Record<string, unknown> }[] }>(as.m1, '/console/api/stores/S1/sections/campaigns');
  expect(section.rows).toHaveLength(1);
  expect(section.rows[0].cells).toMatchObject({
    name: '老客召回',
    status: '已结束',
    sent: 6,
    delivered: 4,
    redeemed: 2,
    redemptionRate: 33.3,
    redeemerRevenue: 50,
    couponCost: 10,
    treatedRepeat: 50,
    holdoutRepeat: 25,
    roi: 1.7,
  });
  expect(section.rows[0].cells.repeatUplift).toBe(`25.0 [${(r.uplift.repeatRate.low * 100).toFixed(1)}, ${(r.uplift.repeatRate.high * 100).toFixed(1)}]`);
  const csv = await (await as.m1.get('/console/api/stores/S1/sections/campaigns?format=csv')).text();
  expect(csv).toContain('老客召回,已结束,6,4,2,');
});

it('gives an area manager the campaigns of their stores over their stores’ members, never 三店’s part', async () => {
  const o = await json<Overview>(as.east, '/console/api/members');
  expect(o.stores.map((s) => [s.code, s.members, s.active30d])).toEqual([
    ['S1', 10, 4],
    ['S2', 6, 1],
  ]);
  expect(o.segments.find((s) => s.tag === '潜在流失')?.members).toBe(8); // 7 in 一店, 1 in 二店; 三店's 4 are not counted
  expect(o.campaigns.map((c) => [c.id, c.stores])).toEqual([['winback', ['一店', '二店']]]);
  const r = o.campaigns[0].results!;
  expect(r).toEqual(await campaignResults(h.app.db, 'winback', { stores: ['S1', 'S2'] }));
  expect(r).toMatchObject({ sent: 10, redeemed: 3, redeemerRevenue: 150, couponCost: 30 });
  // The whole campaign (三店's C01 included) is more than the area manager is shown.
  expect((await campaignResults(h.app.db, 'winback'))!.sent).toBe(11);
  // The store page of one of their stores is that store's part only.
  expect((await json<Overview>(as.east, '/console/api/stores/S2/members')).campaigns[0].results).toEqual(await campaignResults(h.app.db, 'winback', { stores: ['S2'] }));
});

it('gives an admin every campaign with members, over the whole chain', async () => {
  const o = await json<Overview>(as.boss, '/console/api/members');
  expect(o).toMatchObject({ members: 20 });
  expect(o.campaigns.map((c) => c.id).sort()).toEqual(['south', 'winback']);
  expect(o.campaigns.find((c) => c.id === 'winback')!.results).toEqual(await campaignResults(h.app.db, 'winback'));
});

it('answers 403 for the members of a store the viewer may not see', async () => {
  expect((await as.m1.get('/console/api/stores/S2/members')).status).toBe(403);
  expect((await as.east.get('/console/api/stores/S3/members')).status).toBe(403);
  expect((await as.east.get('/console/api/stores/S3/sections/campaigns')).status).toBe(403);
});
