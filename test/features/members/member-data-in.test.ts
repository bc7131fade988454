import { membersFeature } from '../../../src/features/members';
import { hashPhone } from '../../../src/features/members/rows';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { daysAgo, MEMBER_ENV, postSigned, seedChain } from './helpers';

/** Members and POS orders through the signed sync API: validated whole, idempotent, profiles kept up to date. */
const clock = new TestClock(Date.parse('2026-11-25T06:00:00Z'));
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [membersFeature], clock, env: MEMBER_ENV });
  await seedChain(h.app.db);
}, 120_000);
afterAll(() => h.stop());

const MEMBERS = [
  { code: 'M1', name: '王女士', phone: '13800000001', external_userid: 'wm_1', owner: 'xiaomei', home_store: 'S001', marketing: '是' },
  { code: 'M2', name: '李先生', phone: '+86 13800000002'.replace(' ', ''), home_store: 'S002', marketing: '退订' },
];

it('refuses a document with bad rows, listing every problem, and stores nothing', async () => {
  const res = await postSigned(h.url, clock, 'members', [MEMBERS[0], { code: 'M9', phone: 'abc', home_store: 'S404', external_userid: 'wm_9' }, { name: '无编号', owner: 'nobody' }]);
  expect(res.status).toBe(400);
  const answer = await res.json();
  expect(answer.problems).toEqual([
    { line: 2, message: '手机号格式不对' },
    { line: 3, message: '缺少会员编号' },
  ]);
  // Field problems are found first; references are checked on the rows whose fields are fine.
  expect(await h.app.db.member.count()).toBe(0);

  const refs = await postSigned(h.url, clock, 'members', [{ code: 'M9', home_store: 'S404', external_userid: 'wm_9' }]);
  expect((await refs.json()).problems).toEqual([
    { line: 1, message: '门店 S404 不存在' },
    { line: 1, message: '有 external_userid 的会员需要 owner（添加该客户的员工）' },
  ]);
  expect(await h.app.db.member.count()).toBe(0);
});

it('stores members with the phone as a peppered hash, and keeps an opt-out when a later row does not say', async () => {
  const res = await postSigned(h.url, clock, 'members', MEMBERS);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ kind: 'members', rows: 2, created: 2, updated: 0 });
  const m2 = await h.app.db.member.findUniqueOrThrow({ where: { code: 'M2' } });
  expect(m2.phoneHash).toBe(hashPhone(MEMBER_ENV.MEMBERS_PHONE_PEPPER, '13800000002'));
  expect(JSON.stringify(m2)).not.toContain('13800000002');
  expect(m2.marketingOptIn).toBe(false);

  const again = await postSigned(h.url, clock, 'members', [{ code: 'M2', name: '李先生', home_store: 'S001' }]);
  expect(await again.json()).toEqual({ kind: 'members', rows: 1, created: 0, updated: 1 });
  expect(await h.app.db.member.findUniqueOrThrow({ where: { code: 'M2' } })).toMatchObject({ marketingOptIn: false, homeStore: 'S001', phoneHash: m2.phoneHash });
});

it('stores orders once by their POS id and keeps the profile up to date as they arrive', async () => {
  const orders = [
    { order_id: 'P1', member: 'M1', store: 'S001', ordered_at: daysAgo(clock, 40), amount: 30, lines: 'T1:奶茶:1:20:6|D1:甜品:1:10:4', dwell_seconds: 600 },
    {
      order_id: 'P2',
      member: 'M1',
      store: 'S001',
      ordered_at: daysAgo(clock, 10),
      amount: 25,
      discount: 5,
      coupon_code: 'X1',
      lines: [{ sku: 'D1', category: '甜品', quantity: 2, amount: 25, cost: 8 }],
      dwell_seconds: 300,
    },
  ];
  const bad = await postSigned(h.url, clock, 'orders', [
    ...orders,
    { order_id: 'P3', member: 'M404', store: 'S001', ordered_at: '2026-11-01 10:00', amount: -1, lines: 'x:y:z:1' },
    { order_id: 'P4', member: 'M1', store: 'S001', lines: 7 },
  ]);
  expect(bad.status).toBe(400);
  const problems = (await bad.json()).problems.map((p: { line: number; message: string }) => `${p.line}:${p.message}`);
  expect(problems).toEqual([
    '3:下单时间 2026-11-01 10:00 无效：用带时区的 ISO 时间（2026-11-25T10:30:00+08:00）或 unix 秒',
    '3:实付金额必须是不小于 0 的数字',
    '3:第 1 个商品行：数量必须是不小于 0 的数字',
    // Absent fields and wrong types are named, not zod's bare "Invalid input".
    '4:缺少下单时间',
    '4:缺少实付金额',
    '4:商品行应该是文本（sku:品类:数量:金额|…）或数组',
  ]);
  expect(await h.app.db.memberOrder.count()).toBe(0);

  const res = await postSigned(h.url, clock, 'orders', orders);
  expect(await res.json()).toEqual({ kind: 'orders', rows: 2, created: 2, updated: 0 });
  const profile = await h.app.db.memberProfile.findUniqueOrThrow({ where: { memberCode: 'M1' } });
  expect(profile).toMatchObject({ orders30d: 1, orders90d: 2, ordersTotal: 2, discountShare: 0.5, avgDwellSeconds: 450 });
  expect(Number(profile.monetaryTotal)).toBe(55);
  expect(Number(profile.avgTicket)).toBe(27.5);
  expect(profile.favouriteCategories).toEqual([
    { category: '甜品', share: 0.75 },
    { category: '奶茶', share: 0.25 },
  ]);

  const resent = await postSigned(h.url, clock, 'orders', orders);
  expect(await resent.json()).toEqual({ kind: 'orders', rows: 2, created: 0, updated: 0 });
  expect(await h.app.db.memberOrder.count()).toBe(2);
});
