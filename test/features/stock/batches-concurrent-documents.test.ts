import type { Database } from '../../../src/db';
import { importMasterData } from '../../../src/features/masterdata/import';
import { loadConfig } from '../../../src/config';
import { bookMoves } from '../../../src/features/stock/booking';
import type { NewMove } from '../../../src/features/stock/ledger';
import { openTestDatabase } from '../../helpers/database';

/**
 * Twenty documents at once over the same SKUs, their lines in either order, sales and receipts with
 * expiries: no deadlock, no lost take, and each SKU's batches add up to its on-hand.
 */
const config = loadConfig({});
let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await importMasterData(database.prisma, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(database.prisma, 'skus', 'code,name,category,base_unit,cost_price,shelf_life_days\nMILK,牛奶,乳品,盒,6.5,7\nCREAM,奶油,乳品,盒,28,\n', 'csv');
});
afterAll(() => database.close());

const rules = new Map([
  ['MILK', { baseUnit: '盒', allowNegative: true }],
  ['CREAM', { baseUnit: '盒', allowNegative: true }],
]);
const now = new Date('2026-12-04T02:00:00Z');
const move = (id: string, skuCode: string, kind: 'receipt' | 'sale', quantity: number, expiresOn?: string): NewMove => ({
  storeCode: 'S1',
  skuCode,
  kind,
  quantity,
  occurredAt: now,
  recordedAt: now,
  source: kind === 'sale' ? 'pos' : 'erp',
  externalId: id,
  expiresOn,
});
const book = (moves: NewMove[]) => database.prisma.$transaction((tx) => bookMoves(tx, config, moves, rules, now), { maxWait: 15_000, timeout: 60_000 });

it('books 20 concurrent documents without a deadlock or a lost take; batches add up to on-hand', async () => {
  const db = database.prisma;
  // More than every sale takes, whatever the order they come in: each take is covered by a batch.
  await book([0, 1, 2, 3, 4].flatMap((d) => [move(`r0:${d}:m`, 'MILK', 'receipt', 25, `2026-12-1${d}`), move(`r0:${d}:c`, 'CREAM', 'receipt', 20, `2026-12-2${d}`)]));
  const documents = Array.from({ length: 20 }, (_, i) => {
    const lines =
      i % 4 === 3
        ? [move(`r${i}:m`, 'MILK', 'receipt', 6, '2026-12-08'), move(`r${i}:c`, 'CREAM', 'receipt', 6)]
        : [move(`s${i}:m`, 'MILK', 'sale', -5), move(`s${i}:c`, 'CREAM', 'sale', -4), move(`s${i}:m2`, 'MILK', 'sale', -2)];
    // Half the documents name the SKUs the other way round: the locks must still queue, not deadlock.
    return book(i % 2 ? lines.reverse() : lines);
  });
  await Promise.all(documents);
  for (const [sku, expected] of [
    ['MILK', 125 + 5 * 6 - 15 * 7],
    ['CREAM', 100 + 5 * 6 - 15 * 4],
  ] as const) {
    const balance = await db.stockBalance.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: 'S1', skuCode: sku } } });
    expect([sku, balance.onHand.toNumber()]).toEqual([sku, expected]);
    const batches = await db.stockBatch.findMany({ where: { storeCode: 'S1', skuCode: sku } });
    expect(batches.every((b) => b.remaining.toNumber() >= 0)).toBe(true);
    expect([sku, batches.reduce((sum, b) => sum + b.remaining.toNumber(), 0)]).toEqual([sku, expected]);
    const [{ taken }] = await db.$queryRaw<{ taken: string }[]>`
      SELECT COALESCE(SUM(t.quantity), 0)::text AS taken FROM stock_batch_take t JOIN stock_move m ON m.id = t.move_id WHERE m.sku_code = ${sku} AND m.kind = 'sale'`;
    expect([sku, Number(taken)]).toEqual([sku, sku === 'MILK' ? 15 * 7 : 15 * 4]);
  }
});
