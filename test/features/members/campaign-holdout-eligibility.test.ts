import { loadConfig } from '../../../src/config';
import type { MembersConfig } from '../../../src/features/members/settings';
import type { Database } from '../../../src/db';
import { buildCampaign, campaignDefinition, defineCampaigns, localCalendar } from '../../../src/features/members/campaigns';
import { writeMembers } from '../../../src/features/members/ingest';
import { openTestDatabase } from '../../helpers/database';

/**
 * The holdout is drawn from the members the campaign could send to: a member without a WeCom
 * contact, or one the caps hold back, is in neither arm. Otherwise the uplift compares the
 * reachable treated with a holdout of everyone (see the campaign simulation in the members README).
 */
let database: Database;
const NOW = new Date('2026-11-25T06:00:00Z');
const settings: MembersConfig = loadConfig({ MEMBERS_QUIET_HOURS: 'off' }).members;
const N = 200;

beforeAll(async () => {
  database = await openTestDatabase();
  const db = database.prisma;
  await db.store.create({ data: { code: 'S1', name: '店' } });
  await db.staff.create({ data: { userid: 'a', name: '甲', storeCode: 'S1', role: 'staff' } });
  // Every fourth member is no WeCom contact of anyone.
  await writeMembers(
    db,
    Array.from({ length: N }, (_, i) => ({ code: `C${i}`, home_store: 'S1', ...(i % 4 === 0 ? {} : { external_userid: `wm_${i}`, owner: 'a' }) })),
    null,
    NOW,
  );
});
afterAll(() => database.close());

async function build(id: string, holdoutShare: number) {
  const def = { id, name: id, segment: {}, coupon: { kind: 'amount', value: 5, validDays: 2 }, schedule: { once: NOW.toISOString() }, holdoutShare };
  const defined = await defineCampaigns(database.prisma, def, NOW, settings);
  if (!defined.ok) throw new Error(JSON.stringify(defined.problems));
  const cal = await localCalendar(database.prisma, NOW, 'Asia/Shanghai');
  return buildCampaign(database.prisma, { id, definition: campaignDefinition.parse(def) }, NOW, settings, cal, 'secret');
}

it('leaves members without a WeCom contact out of both arms', async () => {
  const built = await build('first', 0.5);
  expect(built.treated + built.holdout).toBe((3 * N) / 4);
  expect(built.holdout).toBeGreaterThan(N / 8);
  const rows = await database.prisma.campaignMember.findMany({ where: { campaignId: 'first' } });
  expect(rows.every((r) => r.externalUserid !== null)).toBe(true);
});

it('holds back holdout members the caps would have held back, the same as the treated', async () => {
  // The same day from the same staff member: the daily cap holds back every member 'first'
  // treated, in this campaign's holdout as well as its treated arm.
  const treatedBefore = new Set((await database.prisma.campaignMember.findMany({ where: { campaignId: 'first', arm: 'treated' } })).map((r) => r.memberCode));
  await build('second', 0.5);
  const rows = await database.prisma.campaignMember.findMany({ where: { campaignId: 'second' } });
  expect(rows.length).toBe((3 * N) / 4 - treatedBefore.size);
  expect(rows.some((r) => r.arm === 'holdout')).toBe(true);
  expect(rows.filter((r) => treatedBefore.has(r.memberCode))).toEqual([]);
});
