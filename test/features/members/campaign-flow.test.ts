import { membersFeature } from '../../../src/features/members';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { daysAgo, MEMBER_ENV, postSigned, seedChain } from './helpers';

/**
 * A win-back campaign end to end through the fake WeCom: tags from orders, tags marked in
 * WeCom, a segment with a reproducible holdout, one personal coupon message per member created
 * on behalf of the owner (who is told to confirm), delivery read back after the confirmation,
 * redemptions from POS orders, and the report pushed to managers after the window.
 */
const clock = new TestClock(Date.parse('2026-11-25T06:00:00Z')); // 14:00 in Shanghai
let h: Harness;
const N = 60;
const codes = Array.from({ length: N }, (_, i) => `M${String(i + 1).padStart(3, '0')}`);

const runJob = async (name: string) => {
  const job = h.app.bot.jobs.find((j) => j.name === name)!;
  await h.app.scheduler.runJob(job, clock.now());
  await h.settle();
};

beforeAll(async () => {
  h = await startHarness({ features: [membersFeature], clock, env: MEMBER_ENV });
  await seedChain(h.app.db);
  const members = codes.map((code, i) => ({ code, name: `会员${i + 1}`, external_userid: `wm_${code}`, owner: 'xiaomei', home_store: 'S001' }));
  members.push({ code: 'M999', name: '退订', external_userid: 'wm_M999', owner: 'xiaomei', home_store: 'S001', marketing: '否' } as never);
  for (const m of members) h.fake.addExternalContact({ external_userid: m.external_userid, name: m.name, follow_userid: 'xiaomei' });
  expect((await postSigned(h.url, clock, 'members', members)).status).toBe(200);
  // Everyone last came 20 days ago; half of them ate a lot of dessert before that.
  const orders = [...codes, 'M999'].flatMap((code, i) => [
    { order_id: `A-${code}`, member: code, store: 'S001', ordered_at: daysAgo(clock, 20), amount: 30, lines: `T1:奶茶:1:30:10` },
    ...(i % 2 === 0 ? [{ order_id: `B-${code}`, member: code, store: 'S001', ordered_at: daysAgo(clock, 21), amount: 36, lines: 'D1:甜品:3:36:12' }] : []),
  ]);
  expect((await postSigned(h.url, clock, 'orders', orders)).status).toBe(200);
}, 120_000);
afterAll(() => h.stop());

it('tags members by the rules and marks the tags on them in WeCom', async () => {
  await runJob('members.recomputeProfiles');
  expect(await h.app.db.memberTag.count({ where: { tag: '潜在流失' } })).toBe(N + 1);
  // Three desserts 21 days ago: inside the rule's 30 days, for every other member.
  expect(await h.app.db.memberTag.count({ where: { tag: '高甜偏好' } })).toBe(Math.ceil((N + 1) / 2));
  await runJob('members.syncWecomTags');
  const contact = (await h.app.wecom.getExternalContact('wm_M001')).follow_user[0];
  expect(contact.tags?.map((t) => t.tag_name)).toContain('潜在流失');
  const marks = h.fake.callsTo('externalcontact/mark_tag').length;
  await runJob('members.syncWecomTags');
  expect(h.fake.callsTo('externalcontact/mark_tag').length).toBe(marks); // nothing changed, nothing sent
});

it('refuses a malformed campaign listing every problem', async () => {
  const res = await postSigned(h.url, clock, 'campaigns', [{ id: 'bad id', name: '', coupon: { kind: 'percent', value: 95, validDays: 0 }, schedule: { cron: 'nope' } }]);
  expect(res.status).toBe(400);
  const messages = (await res.json()).problems.map((p: { message: string }) => p.message.split('：')[0]);
  expect(messages).toEqual(expect.arrayContaining(['id', 'name', 'segment', 'coupon.validDays', 'schedule.cron']));
  expect(await h.app.db.campaign.count()).toBe(0);
});

let sentCodes: Map<string, string>;

it('sends each treated member one personal coupon on behalf of the owner, keeps a holdout, and never sends twice', async () => {
  const campaign = {
    id: 'winback',
    name: '老客召回',
    priority: 5,
    segment: { tags: ['潜在流失'] },
    coupon: { kind: 'amount', value: 5, minSpend: 20, validDays: 7 },
    schedule: { once: clock.now().toISOString() },
    holdoutShare: 0.2,
  };
  expect((await postSigned(h.url, clock, 'campaigns', [campaign])).status).toBe(200);
  await runJob('members.runCampaigns');
  const rows = await h.app.db.campaignMember.findMany({ where: { campaignId: 'winback' } });
  expect(rows.map((r) => r.memberCode)).not.toContain('M999'); // opted out
  const holdout = rows.filter((r) => r.arm === 'holdout');
  const treated = rows.filter((r) => r.arm === 'treated');
  expect(rows).toHaveLength(N);
  expect(holdout.length).toBeGreaterThan(4);
  expect(holdout.length).toBeLessThan(22);
  expect(holdout.every((r) => r.couponCode === null)).toBe(true);
  expect(new Set(treated.map((r) => r.couponCode)).size).toBe(treated.length);

  const templates = h.fake.callsTo('externalcontact/add_msg_template');
  expect(templates).toHaveLength(treated.length);
  const body = templates[0].body as { sender: string; external_userid: string[]; text: { content: string } };
  expect(body.sender).toBe('xiaomei');
  const member = treated.find((r) => r.externalUserid === body.external_userid[0])!;
  expect(body.text.content).toContain(member.couponCode!);
  expect(body.text.content).toContain('5元优惠券（满20元可用）');
  expect(h.fake.inbox('xiaomei').map((m) => String(m.body.content))).toEqual([expect.stringContaining(`老客召回：${treated.length} 位客户`)]);

  // The same assignment again, from the hash alone.
  const again = await h.app.db.$queryRaw<{ holdout: boolean }[]>`
    SELECT ('x' || substr(md5('winback:' || member_code), 1, 8))::bit(32)::bigint < ${Math.round(0.2 * 2 ** 32)} AS holdout
    FROM campaign_member WHERE campaign_id = 'winback' ORDER BY member_code`;
  expect(again.map((r) => r.holdout)).toEqual([...rows].sort((a, b) => a.memberCode.localeCompare(b.memberCode)).map((r) => r.arm === 'holdout'));

  // A second run, even re-opened: nobody gets the campaign twice.
  await h.app.db.campaign.update({ where: { id: 'winback' }, data: { lastRunAt: null } });
  await runJob('members.runCampaigns');
  expect(h.fake.callsTo('externalcontact/add_msg_template')).toHaveLength(treated.length);
  expect(await h.app.db.campaignMember.count({ where: { campaignId: 'winback' } })).toBe(N);
  sentCodes = new Map(treated.map((r) => [r.memberCode, r.couponCode!]));
});

it('holds back members the caps protect: one a day from a staff member, no second live coupon', async () => {
  const second = {
    id: 'dessert',
    name: '甜品券',
    segment: { tags: ['潜在流失'] },
    coupon: { kind: 'percent', value: 20, validDays: 3 },
    schedule: { once: clock.now().toISOString() },
    holdoutShare: 0,
  };
  expect((await postSigned(h.url, clock, 'campaigns', [second])).status).toBe(200);
  await runJob('members.runCampaigns');
  // Members already treated today by xiaomei are held; holdout members of the first may be treated here.
  const rows = await h.app.db.campaignMember.findMany({ where: { campaignId: 'dessert' } });
  expect(rows.every((r) => !sentCodes.has(r.memberCode))).toBe(true);
  expect(rows.length).toBe(N - sentCodes.size);
});

it('reads the owner’s confirmation back as delivered, and reminds them of what waits', async () => {
  const winbackMsgids = (await h.app.db.campaignMember.findMany({ where: { campaignId: 'winback', arm: 'treated' } })).map((r) => r.msgid!);
  for (const msgid of winbackMsgids.slice(0, -3)) h.fake.confirmGroupMsg(msgid);
  clock.advance(60_000); // the first read-back of a message is a minute after it was created
  await runJob('members.runCampaigns');
  expect(await h.app.db.campaignMember.count({ where: { campaignId: 'winback', status: 'delivered' } })).toBe(sentCodes.size - 3);
  const wm = (await h.app.db.campaignMember.findFirstOrThrow({ where: { campaignId: 'winback', status: 'delivered' } })).externalUserid!;
  expect(h.fake.customerInbox(wm)).toHaveLength(1);

  clock.advance(5 * 3_600_000);
  await runJob('members.runCampaigns');
  expect(h.fake.callsTo('externalcontact/remind_groupmsg_send').length).toBeGreaterThanOrEqual(3);
  expect(h.fake.inbox('xiaomei').at(-1)?.body.content).toMatch(/还有 \d+ 条优惠券消息没有确认发送/);
});

it('measures redemptions and the uplift against the holdout, and pushes the report to managers after the window', async () => {
  const rows = await h.app.db.campaignMember.findMany({ where: { campaignId: 'winback' } });
  const treated = rows.filter((r) => r.arm === 'treated');
  const holdout = rows.filter((r) => r.arm === 'holdout');
  // Two thirds of the treated come back with their coupon; one holdout member comes back anyway.
  const redeemers = treated.filter((_, i) => i % 3 !== 0);
  const orders = [
    ...redeemers.map((r) => ({
      order_id: `R-${r.memberCode}`,
      member: r.memberCode,
      store: 'S001',
      ordered_at: clock.now().toISOString(),
      amount: 25,
      discount: 5,
      coupon_code: r.couponCode,
      lines: 'T1:奶茶:1:25:10',
    })),
    { order_id: `H-${holdout[0].memberCode}`, member: holdout[0].memberCode, store: 'S001', ordered_at: clock.now().toISOString(), amount: 30, lines: 'T1:奶茶:1:30:10' },
  ];
  expect((await postSigned(h.url, clock, 'orders', orders)).status).toBe(200);

  await runJob('members.pushReports');
  expect(h.fake.inbox('zhou')).toHaveLength(0); // the window is still open

  clock.advance(8 * 86_400_000);
  await runJob('members.pushReports');
  await runJob('members.pushReports');
  for (const manager of ['zhou', 'liu']) {
    const inbox = h.fake.inbox(manager).filter((m) => String(m.body.content).includes('老客召回'));
    expect(inbox).toHaveLength(1);
    expect(inbox[0].msgtype).toBe('markdown');
  }
  expect(h.fake.inbox('chenjing')).toHaveLength(0);

  const res = await postSigned(h.url, clock, 'campaign-results', { campaign: 'winback' });
  const r = await res.json();
  const pt = redeemers.length / treated.length;
  const ph = 1 / holdout.length;
  const se = Math.sqrt((pt * (1 - pt)) / treated.length + (ph * (1 - ph)) / holdout.length);
  expect(r).toMatchObject({ sent: treated.length, redeemed: redeemers.length, couponCost: 5 * redeemers.length, redeemerRevenue: 25 * redeemers.length, redeemerMargin: 15 * redeemers.length });
  expect(r.redemptionRate).toBeCloseTo(redeemers.length / treated.length, 3);
  expect(r.uplift.repeatRate.difference).toBeCloseTo(pt - ph, 3);
  expect(r.uplift.repeatRate.low).toBeCloseTo(pt - ph - 1.959964 * se, 3);
  expect(r.uplift.repeatRate.high).toBeCloseTo(pt - ph + 1.959964 * se, 3);
  const upliftPerMember = (25 * redeemers.length) / treated.length - 30 / holdout.length;
  expect(r.uplift.incrementalRevenue).toBeCloseTo(upliftPerMember * treated.length, 1);
  // Margin rate of the treated orders: (25 − 10) / 25.
  expect(r.uplift.roi).toBeCloseTo((upliftPerMember * treated.length * 0.6 - 5 * redeemers.length) / (5 * redeemers.length), 1);
});

it('pushes nothing in quiet hours', async () => {
  const quietClock = Date.parse('2026-12-03T14:30:00Z'); // 22:30 in Shanghai
  clock.advance(quietClock - clock.now().getTime());
  await postSigned(h.url, clock, 'campaigns', [
    { id: 'night', name: '夜宵券', segment: { tags: [] }, coupon: { kind: 'amount', value: 3, validDays: 2 }, schedule: { once: clock.now().toISOString() } },
  ]);
  await runJob('members.runCampaigns');
  expect(await h.app.db.campaignMember.count({ where: { campaignId: 'night' } })).toBe(0);
});
