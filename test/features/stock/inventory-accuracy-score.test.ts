import { BotRegistry } from '../../../src/bot/registry';
import { loadConfig } from '../../../src/config';
import type { Database } from '../../../src/db';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { DEFAULT_COUNT_TOLERANCE } from '../../../src/features/stock/counts';
import { inventoryAccuracyPart } from '../../../src/features/stock/score';
import { openTestDatabase } from '../../helpers/database';

/** The inventory-accuracy part of the monthly health score, from the month's closed counts. */
let database: Database;
const NOVEMBER = { start: new Date('2026-10-31T16:00:00Z'), end: new Date('2026-11-30T16:00:00Z') };
beforeAll(async () => {
  database = await openTestDatabase();
  const db = database.prisma;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\nS2,二店\nS3,三店\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,category,base_unit,cost_price\nMILK,牛奶,乳品,盒,6.5\nCREAM,奶油,乳品,盒,28\n', 'csv');
  let n = 0;
  const count = async (storeCode: string, status: string, closedAt: Date | null, entries: [string, number, number][]) => {
    const c = await db.stockCount.create({ data: { storeCode, status, openedBy: 'm', openedAt: new Date('2026-10-01T00:00:00Z'), closedAt, externalId: `c${n++}` } });
    for (const [skuCode, counted, book] of entries) {
      await db.stockCountEntry.create({ data: { countId: c.id, skuCode, counted, book, countedBy: 's', countedAt: new Date('2026-11-10T00:00:00Z'), source: 'chat', externalId: `e${n++}` } });
    }
  };
  await count('S1', 'approved', new Date('2026-11-05T10:00:00Z'), [
    ['MILK', 30, 30],
    ['MILK', 22, 24],
    ['CREAM', 20, 20],
  ]); // the later MILK entry counts
  await count('S1', 'closed', new Date('2026-11-20T10:00:00Z'), [['MILK', 10, 12]]);
  await count('S1', 'open', null, [['CREAM', 0, 50]]); // not closed: not measured
  await count('S1', 'approved', new Date('2026-10-20T10:00:00Z'), [['CREAM', 0, 50]]); // October
  await count('S3', 'approved', new Date('2026-11-29T10:00:00Z'), [['CREAM', 5, 5]]);
  await count('S2', 'approved', new Date('2026-12-01T10:00:00Z'), [['CREAM', 1, 5]]); // December
});
afterAll(() => database.close());

it('is registered by the stock feature with the configured count tolerance', async () => {
  const measure = async (env: Record<string, string>) => {
    const bot = new BotRegistry(loadConfig(env));
    stockFeature.register(bot);
    return (await bot.scoreParts.get('inventoryAccuracy')!(database.prisma, NOVEMBER, ['S1'])).get('S1')!.facts.withinTolerance;
  };
  // S1's MILK is off by 2 of 24 and 2 of 12: outside ±2%, one inside ±10%, both inside ±20%.
  expect(await measure({})).toBe(0.3333);
  expect(await measure({ COUNT_TOLERANCE_PERCENT: '10' })).toBe(0.6667);
  expect(await measure({ COUNT_TOLERANCE_PERCENT: '10', COUNT_TOLERANCE_BY_CATEGORY: '{"乳品":20}' })).toBe(1);
});

it('measures each store from its counts closed in the period, and leaves out stores without one', async () => {
  const measures = await inventoryAccuracyPart(DEFAULT_COUNT_TOLERANCE)(database.prisma, NOVEMBER, ['S1', 'S2', 'S3']);
  expect([...measures.keys()].sort()).toEqual(['S1', 'S3']);
  const s1 = measures.get('S1')!;
  // 1 − (2 + 0 + 2) / (24 + 20 + 12); by cost 1 − 4×6.5 / (36×6.5 + 20×28).
  expect(s1.ratio).toBeCloseTo(1 - 4 / 56, 10);
  expect(s1.facts).toEqual({ counts: 2, skusCounted: 3, accuracyByQuantity: 0.9286, accuracyByCost: Math.round((1 - 26 / (36 * 6.5 + 560)) * 10_000) / 10_000, withinTolerance: 0.3333 });
  expect(s1.losses).toEqual([{ label: '牛奶 盘亏 4盒', lost: 4 / 56 }]);
  expect(measures.get('S3')).toEqual({ ratio: 1, facts: { counts: 1, skusCounted: 1, accuracyByQuantity: 1, accuracyByCost: 1, withinTolerance: 1 }, losses: [] });
});

it("takes a SKU's own count tolerance from the master data", async () => {
  await importMasterData(database.prisma, 'skus', 'code,name,category,base_unit,cost_price,count_tolerance_percent\nMILK,牛奶,乳品,盒,6.5,20%\n', 'csv');
  const measures = await inventoryAccuracyPart(DEFAULT_COUNT_TOLERANCE)(database.prisma, NOVEMBER, ['S1']);
  expect(measures.get('S1')!.facts.withinTolerance).toBe(1);
  expect(await importMasterData(database.prisma, 'skus', 'code,name,category,base_unit,cost_price,count_tolerance_percent\nMILK,牛奶,乳品,盒,6.5,120\n', 'csv')).toMatchObject({
    ok: false,
    problems: [{ line: 2, message: expect.stringContaining('盘点容差必须是 0–100 的百分数') }],
  });
});
