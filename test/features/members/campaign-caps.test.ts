import { loadConfig } from '../../../src/config';
import type { MembersConfig } from '../../../src/features/members/settings';
import type { Database } from '../../../src/db';
import { buildCampaign, campaignDefinition, defineCampaigns, localCalendar } from '../../../src/features/members/campaigns';
import { writeMembers } from '../../../src/features/members/ingest';
import { openTestDatabase } from '../../helpers/database';

/** The caps a build respects, each on its own: monthly budget, 7-day cap, live coupons, opt-outs. */
let database: Database;
const NOW = new Date('2026-11-25T06:00:00Z');
const settings = (env: Record<string, string> = {}): MembersConfig => loadConfig({ MEMBERS_QUIET_HOURS: 'off', ...env }).members;

beforeAll(async () => {
  database = await openTestDatabase();
  const db = database.prisma;
  await db.store.create({ data: { code: 'S1', name: '店' } });
  await db.staff.createMany({
    data: [
      { userid: 'a', name: '甲', storeCode: 'S1', role: 'staff' },
      { userid: 'b', name: '乙', storeCode: 'S1', role: 'staff' },
    ],
  });
  await writeMembers(
    db,
    Array.from({ length: 10 }, (_, i) => ({ code: `C${i}`, external_userid: `wm_${i}`, owner: i % 2 ? 'a' : 'b', home_store: 'S1', marketing: i !== 9 })),
    null,
    NOW,
  );
});
afterAll(() => database.close());

async function build(id: string, at: Date, config: MembersConfig, extra: Record<string, unknown> = {}) {
  const def = { id, name: id, segment: {}, coupon: { kind: 'amount', value: 5, validDays: 2 }, schedule: { once: at.toISOString() }, holdoutShare: 0, ...extra };
  const defined = await defineCampaigns(database.prisma, def, at, config);
  if (!defined.ok) throw new Error(JSON.stringify(defined.problems));
  const cal = await localCalendar(database.prisma, at, 'Asia/Shanghai');
  return buildCampaign(database.prisma, { id, definition: campaignDefinition.parse(def) }, at, config, cal, 'secret');
}
const day = (n: number) => new Date(NOW.getTime() + n * 86_400_000);

it('gives opted-in members one campaign a day from their staff member, and no second live coupon unless allowed', async () => {
  const config = settings({ MEMBERS_WEEKLY_MESSAGES: '10' });
  expect(await build('first', NOW, config)).toEqual({ treated: 9, holdout: 0 }); // C9 opted out
  // Same day: the per-staff daily cap holds everyone back, even with overlap allowed.
  expect(await build('second', NOW, config, { allowOverlap: true })).toEqual({ treated: 0, holdout: 0 });
  // Next day, the first coupon still valid: only a campaign that allows overlap gets through.
  expect(await build('third', day(1), config)).toEqual({ treated: 0, holdout: 0 });
  expect(await build('fourth', day(1), config, { allowOverlap: true })).toEqual({ treated: 9, holdout: 0 });
  // A re-run of a campaign never adds its members again.
  expect(await build('fourth', day(4), config, { allowOverlap: true })).toEqual({ treated: 0, holdout: 0 });
});

it('stops at the weekly cap and at the monthly budget shared across campaigns', async () => {
  // Members already have two this week (first, fourth): a weekly cap of 2 holds them until a week has passed.
  const weekly = settings({ MEMBERS_WEEKLY_MESSAGES: '2' });
  expect(await build('weekly-held', day(5), weekly, { allowOverlap: true })).toEqual({ treated: 0, holdout: 0 });
  expect(await build('weekly-later', day(7.5), weekly, { allowOverlap: true })).toEqual({ treated: 9, holdout: 0 });
  // A budget of 1 a month: weekly-later (3 December, local time) took December's; January is fresh.
  const monthly = settings({ MEMBERS_MONTHLY_MESSAGES: '1', MEMBERS_WEEKLY_MESSAGES: '10' });
  expect(await build('dec-a', new Date('2026-12-20T06:00:00Z'), monthly, { allowOverlap: true })).toEqual({ treated: 0, holdout: 0 });
  expect(await build('jan-a', new Date('2027-01-10T06:00:00Z'), monthly, { allowOverlap: true })).toEqual({ treated: 9, holdout: 0 });
  expect(await build('jan-b', new Date('2027-01-20T06:00:00Z'), monthly, { allowOverlap: true })).toEqual({ treated: 0, holdout: 0 });
  // The calendar month in the chain's time zone: 1 February 02:00 in Shanghai is still 31 January in UTC.
  expect(await build('feb-a', new Date('2027-01-31T18:00:00Z'), monthly, { allowOverlap: true })).toEqual({ treated: 9, holdout: 0 });
});

it('refuses an SMS campaign while no SMS provider is configured', async () => {
  const outcome = await defineCampaigns(
    database.prisma,
    { id: 'sms', name: '短信', segment: {}, coupon: { kind: 'amount', value: 5, validDays: 2 }, channel: 'sms', schedule: { once: NOW.toISOString() } },
    NOW,
    settings(),
  );
  expect(outcome).toEqual({ ok: false, problems: [{ line: 1, message: 'channel：短信通道未开启（MEMBERS_SMS_PROVIDER=off）' }] });
});
