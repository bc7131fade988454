import { membersFeature } from '../../../src/features/members';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { daysAgo, MEMBER_ENV, postSigned, seedChain } from './helpers';

/**
 * Reading the owners' confirmations back costs WeCom API quota: one call per message id and page
 * of recipients, asked again only as often as the message's age allows, and never after its
 * coupon expired. Counted on the fake WeCom.
 */
const clock = new TestClock(Date.parse('2026-11-25T06:00:00Z'));
let h: Harness;
const codes = ['R1', 'R2', 'R3', 'R4', 'R5'];
const RESULT = 'externalcontact/get_groupmsg_send_result';

const runCampaigns = async () => {
  const job = h.app.bot.jobs.find((j) => j.name === 'members.runCampaigns')!;
  await h.app.scheduler.runJob(job, clock.now());
  await h.settle();
};

beforeAll(async () => {
  // No background scheduler: its wall-clock runs would ask WeCom too and blur the counts.
  h = await startHarness({ features: [membersFeature], clock, env: { ...MEMBER_ENV, MEMBERS_QUIET_HOURS: 'off' }, workers: false });
  await seedChain(h.app.db);
  const members = codes.map((code) => ({ code, name: code, external_userid: `wm_${code}`, owner: 'xiaomei', home_store: 'S001' }));
  for (const m of members) h.fake.addExternalContact({ external_userid: m.external_userid, name: m.name, follow_userid: 'xiaomei' });
  expect((await postSigned(h.url, clock, 'members', members)).status).toBe(200);
  const orders = codes.map((code) => ({ order_id: `R-${code}`, member: code, store: 'S001', ordered_at: daysAgo(clock, 20), amount: 30 }));
  expect((await postSigned(h.url, clock, 'orders', orders)).status).toBe(200);
}, 120_000);
afterAll(() => h.stop());

it('asks about each message once per due check, backing off with its age, and stops when its coupon expires', async () => {
  const campaign = { id: 'quota', name: '召回', segment: { stores: ['S001'] }, coupon: { kind: 'amount', value: 5, validDays: 3 }, schedule: { once: clock.now().toISOString() }, holdoutShare: 0 };
  expect((await postSigned(h.url, clock, 'campaigns', [campaign])).status).toBe(200);
  await runCampaigns();
  const rows = await h.app.db.campaignMember.findMany({ where: { campaignId: 'quota' }, orderBy: { memberCode: 'asc' } });
  expect(rows.map((r) => r.status)).toEqual(codes.map(() => 'awaiting_confirmation'));
  expect(h.fake.callsTo(RESULT)).toHaveLength(0); // just created: nobody has confirmed yet

  clock.advance(30_000);
  await runCampaigns();
  expect(h.fake.callsTo(RESULT)).toHaveLength(0);
  clock.advance(30_000);
  await runCampaigns();
  expect(h.fake.callsTo(RESULT)).toHaveLength(codes.length); // one minute old: each message once

  h.fake.confirmGroupMsg(rows[0].msgid!);
  h.fake.confirmGroupMsg(rows[1].msgid!);
  clock.advance(60_000);
  await runCampaigns();
  expect(h.fake.callsTo(RESULT)).toHaveLength(2 * codes.length); // two minutes old: due again
  expect(await h.app.db.campaignMember.count({ where: { campaignId: 'quota', status: 'delivered' } })).toBe(2);

  // A run every minute until the coupons expire three days later: the three waiting messages are
  // asked about at 4, 8, 16… minutes and then every six hours — not 4,320 times each.
  const before = h.fake.callsTo(RESULT).length;
  const expiry = rows[0].validUntil.getTime();
  while (clock.now().getTime() <= expiry + 6 * 3_600_000) {
    clock.advance(60_000);
    const next = await h.app.db.campaignMember.aggregate({ where: { campaignId: 'quota', status: 'awaiting_confirmation' }, _min: { nextCheckAt: true } });
    // Skip the minutes with nothing due, as the runs in between would do nothing either.
    if (next._min.nextCheckAt && next._min.nextCheckAt > clock.now()) clock.advance(next._min.nextCheckAt.getTime() - clock.now().getTime());
    await runCampaigns();
    if (!next._min.nextCheckAt) break;
  }
  const perMessage = (h.fake.callsTo(RESULT).length - before) / 3;
  expect(perMessage).toBeGreaterThanOrEqual(10);
  expect(perMessage).toBeLessThanOrEqual(22);
  expect(h.fake.callsTo('externalcontact/remind_groupmsg_send')).toHaveLength(3); // once each, after 4 hours
  const left = await h.app.db.campaignMember.findMany({ where: { campaignId: 'quota', status: 'failed' } });
  expect(left.map((r) => r.failure)).toEqual([
    'the owner did not confirm before the coupon expired',
    'the owner did not confirm before the coupon expired',
    'the owner did not confirm before the coupon expired',
  ]);
  // …and stopped in WeCom, so an owner confirming them late cannot send a dead coupon.
  expect(
    h.fake
      .callsTo('externalcontact/cancel_groupmsg_send')
      .map((c) => (c.body as { msgid: string }).msgid)
      .sort(),
  ).toEqual(left.map((r) => r.msgid).sort());
  expect(() => h.fake.confirmGroupMsg(left[0].msgid!)).toThrow(/cancelled/);
  expect(h.fake.customerInbox(left[0].externalUserid!)).toEqual([]);

  const calls = h.fake.callsTo(RESULT).length;
  clock.advance(24 * 3_600_000);
  await runCampaigns();
  expect(h.fake.callsTo(RESULT)).toHaveLength(calls); // nothing left to ask about
});

it('reads a message to many customers page by page, one call per page', async () => {
  const euids = Array.from({ length: 1_500 }, (_, i) => `wm_many${i}`);
  for (const euid of euids) h.fake.addExternalContact({ external_userid: euid, name: euid, follow_userid: 'chenjing' });
  await h.app.db.member.createMany({ data: euids.map((euid) => ({ code: euid, externalUserid: euid, ownerUserid: 'chenjing', createdAt: clock.now(), updatedAt: clock.now() })) });
  await h.app.db.campaign.create({ data: { id: 'many', name: '店庆', priority: 0, status: 'paused', definition: {}, createdAt: clock.now(), updatedAt: clock.now() } });
  await h.app.db.campaignMember.createMany({
    data: euids.map((euid) => ({
      campaignId: 'many',
      memberCode: euid,
      arm: 'treated',
      status: 'awaiting_confirmation',
      validFrom: clock.now(),
      validUntil: new Date(clock.now().getTime() + 86_400_000),
      channel: 'wecom',
      ownerUserid: 'chenjing',
      externalUserid: euid,
      assignedAt: clock.now(),
      sentAt: clock.now(),
      nextCheckAt: clock.now(),
    })),
  });
  // One message to all of them, as one msgid can cover up to 10,000 customers.
  const { msgid } = await h.app.wecom.addMsgTemplate({ sender: 'chenjing', external_userid: euids, text: { content: '店庆' } });
  await h.app.db.campaignMember.updateMany({ where: { campaignId: 'many' }, data: { msgid } });
  h.fake.confirmGroupMsg(msgid);
  const before = h.fake.callsTo(RESULT).length;
  await runCampaigns();
  expect(h.fake.callsTo(RESULT).length - before).toBe(2); // 1,000 + 500
  expect(await h.app.db.campaignMember.count({ where: { campaignId: 'many', status: 'delivered' } })).toBe(1_500);
});
