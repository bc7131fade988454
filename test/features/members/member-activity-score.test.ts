import type { Database } from '../../../src/db';
import { writeMembers, writeOrders } from '../../../src/features/members/ingest';
import { measureMemberActivity } from '../../../src/features/members/score';
import { BotRegistry } from '../../../src/bot/registry';
import { loadConfig } from '../../../src/config';
import { membersFeature } from '../../../src/features/members';
import { openTestDatabase } from '../../helpers/database';

/** The member-activity part of the store health score. */
let database: Database;
const end = new Date('2026-12-01T00:00:00+08:00');
const period = { start: new Date('2026-11-01T00:00:00+08:00'), end };
beforeAll(async () => {
  database = await openTestDatabase();
  const db = database.prisma;
  await db.store.createMany({ data: ['A', 'B', 'C', 'D'].map((code) => ({ code, name: code })) });
  const joined = new Date('2026-10-01T00:00:00Z');
  // A: 8 of 10 active, B: 4 of 10, C: 6 of 10; D has no members.
  const active = { A: 8, B: 4, C: 6 } as const;
  for (const [store, n] of Object.entries(active)) {
    await writeMembers(
      db,
      Array.from({ length: 10 }, (_, i) => ({ code: `${store}${i}`, home_store: store })),
      null,
      joined,
    );
    await writeOrders(
      db,
      Array.from({ length: 10 }, (_, i) => ({
        order_id: `${store}-${i}`,
        member: `${store}${i}`,
        store,
        // Active: within the last 30 days of the period; the others came before it.
        ordered_at: new Date(end.getTime() - (i < n ? 5 : 45) * 86_400_000),
        amount: 20,
        discount: 0,
        lines: [],
      })),
      joined,
    );
  }
  // An order after the period's end does not count.
  await writeOrders(db, [{ order_id: 'late', member: 'B9', store: 'B', ordered_at: new Date(end.getTime() + 3_600_000), amount: 20, discount: 0, lines: [] }], joined);
});
afterAll(() => database.close());

it('measures each store’s 30-day active share against the chain median', async () => {
  const parts = await measureMemberActivity(database.prisma, period, ['A', 'B', 'C', 'D']);
  expect([...parts.keys()].sort()).toEqual(['A', 'B', 'C']); // D: no data, absent
  expect(parts.get('A')).toMatchObject({ ratio: 1, facts: { members: 10, active30d: 8, activeShare: 0.8, chainMedianShare: 0.6 }, losses: [] });
  expect(parts.get('C')!.ratio).toBe(1);
  const b = parts.get('B')!;
  expect(b.ratio).toBeCloseTo(0.4 / 0.6, 6);
  expect(b.losses).toEqual([{ label: '6 位会员 30 天未到店（活跃率 40.0%，连锁中位数 60.0%）', lost: Number((1 - 0.4 / 0.6).toFixed(4)) }]);
});

it('is registered as the memberActivity score part', () => {
  const bot = new BotRegistry(loadConfig({}));
  membersFeature.register(bot);
  expect(bot.scoreParts.get('memberActivity')).toBe(measureMemberActivity);
});
