import { BotRegistry } from '../../../src/bot/registry';
import { loadConfig } from '../../../src/config';
import type { Database } from '../../../src/db';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { bookMove } from '../../../src/features/stock/booking';
import type { LedgerKind } from '../../../src/features/stock/move-kinds';
import { shareOfSales, usageFigures, usageLines } from '../../../src/features/stock/usage/periods';
import { usageAccuracyPart } from '../../../src/features/stock/usage/score';
import { openTestDatabase } from '../../helpers/database';

/**
 * The period arithmetic of the usage report (理论 vs 实际), on the database: moves of every kind
 * between two approved counts of a SKU, a reversal that came after the closing count, moves just
 * outside the period by when they happened (one booked late), count adjustments, and a count of
 * another category in between.
 */
const config = loadConfig({});
let database: Database;
const at = (iso: string) => new Date(`2026-11-${iso}+08:00`);
// Count #1 is counted on the 1st at 10:00, closed at 10:30; count #3 on the 30th at 10:00, closed at 10:30.
const OPENING = at('01T10:00:00');
const CLOSING = at('30T10:00:00');

it('works out actual usage from the counts and flows, theoretical from sales, waste and production', () => {
  const sums = { receipt: 24, transfer_in: 6, transfer_out: -4, return: -2, production_in: 3, sale: -23, waste: -3, production_out: -5 };
  // actual = 20 + 24 + 6 − 4 − 2 + 3 − 7 = 40; theoretical = 23 + 3 + 5 = 31.
  expect(usageFigures(20, 7, sums)).toEqual({ actual: 40, theoretical: 31, variance: 9 });
  expect(usageFigures(5, 5, { receipt: 0, transfer_in: 0, transfer_out: 0, return: 0, production_in: 0, sale: 0, waste: 0, production_out: 0 })).toEqual({ actual: 0, theoretical: 0, variance: 0 });
  expect(shareOfSales(54, 60)).toBe(0.9);
  expect(shareOfSales(54, null)).toBeNull();
  expect(shareOfSales(54, 0)).toBeNull();
});

describe('on the database', () => {
  let countIds: bigint[];
  beforeAll(async () => {
    database = await openTestDatabase();
    const db = database.prisma;
    await importMasterData(db, 'stores', 'code,name\nS1,一店\nS2,二店\n', 'csv');
    await importMasterData(db, 'skus', 'code,name,category,base_unit,cost_price\nMILK,牛奶,乳品,盒,6\nCREAM,奶油,乳品,盒,28\nTEA,红茶,茶叶,袋,2\n', 'csv');
    let n = 0;
    const count = async (storeCode: string, countedAt: Date, entries: [string, number][], status = 'approved') => {
      const c = await db.stockCount.create({
        data: { storeCode, status, openedBy: 'boss', openedAt: countedAt, closedAt: new Date(countedAt.getTime() + 30 * 60_000), externalId: `count-${n++}` },
      });
      for (const [skuCode, counted] of entries) {
        await db.stockCountEntry.create({ data: { countId: c.id, skuCode, counted, book: counted, countedBy: 'zhang', countedAt, source: 'chat', externalId: `entry-${n++}` } });
      }
      return c.id;
    };
    const move = (kind: LedgerKind, quantity: number, occurredAt: Date, extra: { recordedAt?: Date; reversesId?: bigint; sku?: string; store?: string } = {}) =>
      database.prisma.$transaction((tx) =>
        bookMove(
          tx,
          config,
          {
            storeCode: extra.store ?? 'S1',
            skuCode: extra.sku ?? 'MILK',
            kind,
            quantity,
            occurredAt,
            recordedAt: extra.recordedAt ?? occurredAt,
            source: kind === 'sale' ? 'pos' : 'chat',
            externalId: `move-${n++}`,
            reversesId: extra.reversesId,
          },
          { baseUnit: '盒', allowNegative: true },
        ),
      );
    const first = await count('S1', OPENING, [
      ['MILK', 18],
      ['MILK', 20], // counted again: the later entry counts
      ['TEA', 50],
    ]);
    // A count of another category in between: MILK's period still opens at count #1; CREAM's first count opens one.
    const dairy = await count('S1', at('15T10:00:00'), [['CREAM', 4]]);
    // Not approved: no period closes or opens here.
    await count('S1', at('20T10:00:00'), [['MILK', 0]], 'closed');
    await move('sale', -2, at('01T09:59:00'), { recordedAt: at('01T11:00:00') }); // before the opening count, posted after it
    await move('receipt', 24, at('03T09:00:00'));
    await move('transfer_in', 6, at('04T09:00:00'));
    await move('transfer_out', -4, at('05T09:00:00'));
    await move('return', -2, at('06T09:00:00'));
    await move('production_in', 3, at('07T09:00:00'));
    await move('sale', -21, at('08T09:00:00'));
    await move('sale', 1, at('08T12:00:00')); // a refund
    await move('waste', -3, at('09T09:00:00'));
    await move('production_out', -5, at('10T09:00:00'));
    await move('count_adjustment', 2, at('11T09:00:00'));
    const mistaken = await move('receipt', 12, at('30T09:50:00'));
    await move('reversal', -12, at('30T10:05:00'), { reversesId: mistaken.id }); // undone after the count: still cancels it
    await move('sale', -3, at('30T09:55:00'), { recordedAt: at('30T10:30:00') }); // happened before the closing count, posted after it
    await move('waste', -1, at('30T10:01:00')); // after the closing count
    await move('sale', -2, at('20T09:00:00'), { sku: 'CREAM' });
    const last = await count('S1', CLOSING, [
      ['MILK', 7],
      ['CREAM', 1],
      ['TEA', 50],
    ]);
    await count('S2', OPENING, [['MILK', 5]]);
    const s2 = await count('S2', CLOSING, [['MILK', 5]]);
    // The till's menu lines: 2 lattes at ¥15 by amount, 2 by the menu price; one before count #1 closed.
    await db.menuItem.create({ data: { code: 'LATTE', name: '拿铁', price: 15 } });
    const sold = (occurredAt: Date, quantity: number, amount: number | null) =>
      db.stockSaleLine.create({
        data: {
          externalId: `pos:sales:d${n++}:0`,
          storeCode: 'S1',
          itemCode: 'LATTE',
          quantity,
          amount,
          occurredAt,
          soldAt: occurredAt,
          receivedAt: occurredAt,
          checkedAt: occurredAt,
          bookedAt: occurredAt,
        },
      });
    await sold(at('08T09:00:00'), 2, 30);
    await sold(at('09T09:00:00'), 2, null);
    await sold(at('01T10:10:00'), 5, 75); // before count #1 was closed (10:30)
    countIds = [first, dairy, last, s2];
  }, 120_000);
  afterAll(() => database.close());

  it('counts each kind once in the period it happened in, a reversal in the period of its move', async () => {
    const lines = await usageLines(database.prisma, { countIds: [countIds[2]] });
    expect(lines.map((l) => l.skuCode)).toEqual(['CREAM', 'MILK', 'TEA']);
    const milk = lines.find((l) => l.skuCode === 'MILK')!;
    expect(milk).toMatchObject({ openingCountId: countIds[0], opening: 20, closing: 7, actual: 40, theoretical: 31, variance: 9, varianceCost: 54, revenue: 60 });
    expect(milk.sums).toEqual({ receipt: 24, transfer_in: 6, transfer_out: -4, return: -2, production_in: 3, sale: -23, waste: -3, production_out: -5 });
    expect(shareOfSales(milk.varianceCost, milk.revenue)).toBe(0.9);
    // CREAM opens at the dairy count: 4 + 0 − 1 = 3 used, 2 sold.
    expect(lines.find((l) => l.skuCode === 'CREAM')).toMatchObject({ openingCountId: countIds[1], actual: 3, theoretical: 2, variance: 1, varianceCost: 28 });
    expect(lines.find((l) => l.skuCode === 'TEA')).toMatchObject({ actual: 0, theoretical: 0, variance: 0 });
  });

  it('closes no period at a store’s first count, and has no share of sales without till sales', async () => {
    expect(await usageLines(database.prisma, { countIds: [countIds[0]] })).toEqual([]);
    const [s2] = await usageLines(database.prisma, { countIds: [countIds[3]] });
    expect(s2).toMatchObject({ storeCode: 'S2', actual: 0, revenue: null });
  });

  it('measures the health score’s inventory accuracy by usage variance over the periods closed in the month', async () => {
    const november = { start: new Date('2026-10-31T16:00:00Z'), end: new Date('2026-11-30T16:00:00Z') };
    const measures = await usageAccuracyPart(database.prisma, november, ['S1', 'S2']);
    // S1, all closed by count #3 (the dairy count closes nothing: it was CREAM's first): |54| + |28| unexplained of 31×6 + 2×28 theoretical.
    const s1 = measures.get('S1')!;
    expect(s1.ratio).toBeCloseTo(1 - 82 / (186 + 56), 10);
    expect(s1.facts).toEqual({ periods: 1, skus: 3, theoreticalCost: 242, varianceCost: 82, absoluteVarianceCost: 82 });
    expect(s1.losses.map((l) => l.label)).toEqual(['牛奶 多用 9盒', '奶油 多用 1盒']);
    // S2 used nothing and nothing was unexplained.
    expect(measures.get('S2')!.ratio).toBe(1);
  });

  it('is the health score’s inventory accuracy with STOCK_ACCURACY_MEASURE=usage; counts stay the default', async () => {
    const november = { start: new Date('2026-10-31T16:00:00Z'), end: new Date('2026-11-30T16:00:00Z') };
    const measured = async (env: Record<string, string>) => {
      const bot = new BotRegistry(loadConfig(env));
      stockFeature.register(bot);
      return (await bot.scoreParts.get('inventoryAccuracy')!(database.prisma, november, ['S1'])).get('S1')!.facts;
    };
    expect(await measured({ STOCK_ACCURACY_MEASURE: 'usage' })).toMatchObject({ periods: 1, absoluteVarianceCost: 82 });
    // The count measure takes every count closed in the month, the unapproved one too.
    expect(await measured({})).toMatchObject({ counts: 4, skusCounted: 7 });
    expect(() => loadConfig({ STOCK_ACCURACY_MEASURE: 'variance' })).toThrow(/STOCK_ACCURACY_MEASURE/);
  });
});
