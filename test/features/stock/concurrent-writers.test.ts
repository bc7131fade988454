import type { Database } from '../../../src/db';
import { importMasterData } from '../../../src/features/masterdata/import';
import { bookMove } from '../../../src/features/stock/ledger';
import { openTestDatabase } from '../../helpers/database';

/** Twenty members of staff booking the same SKU at once: no update may be lost. */
let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await importMasterData(database.prisma, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(database.prisma, 'skus', 'code,name,category,base_unit,cost_price\nMILK,牛奶,乳品,盒,6.5\n', 'csv');
});
afterAll(() => database.close());

it('keeps on-hand exact under 20 concurrent writers, and the ledger sums to it', async () => {
  const db = database.prisma;
  const now = new Date();
  const book = (i: number, quantity: number) =>
    db.$transaction(
      (tx) => bookMove(tx, { storeCode: 'S1', skuCode: 'MILK', kind: quantity > 0 ? 'receipt' : 'waste', quantity, occurredAt: now, recordedAt: now, source: 'chat', externalId: `w${i}:${quantity}` }, '盒', false),
      // 40 transactions share a pool of 10 connections: give them time to get one on a busy CI machine.
      { maxWait: 15_000 },
    );
  await book(0, 100);
  // 20 writers, each adding 7 and taking 3, all at once.
  await Promise.all(Array.from({ length: 20 }, (_, i) => Promise.all([book(i + 1, 7), book(i + 1, -3)])));
  const balance = await db.stockBalance.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: 'S1', skuCode: 'MILK' } } });
  expect(balance.onHand.toNumber()).toBe(100 + 20 * 4);
  const [{ sum }] = await db.$queryRaw<{ sum: string }[]>`SELECT SUM(quantity)::text AS sum FROM stock_move WHERE store_code = 'S1' AND sku_code = 'MILK'`;
  expect(Number(sum)).toBe(180);
  expect(await db.stockMove.count()).toBe(41);
});

it('refuses concurrent takes that together would go below zero, and books the rest', async () => {
  const db = database.prisma;
  const now = new Date();
  await db.$transaction((tx) => bookMove(tx, { storeCode: 'S1', skuCode: 'MILK', kind: 'waste', quantity: -170, occurredAt: now, recordedAt: now, source: 'chat' }, '盒', false));
  // 10 left; 20 writers each take 1: exactly 10 succeed.
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, () =>
      db.$transaction((tx) => bookMove(tx, { storeCode: 'S1', skuCode: 'MILK', kind: 'waste', quantity: -1, occurredAt: now, recordedAt: now, source: 'chat' }, '盒', false), { maxWait: 15_000 }),
    ),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
  expect(results.filter((r) => r.status === 'rejected').every((r) => String((r as PromiseRejectedResult).reason.code) === 'stock.negative')).toBe(true);
  expect((await db.stockBalance.findFirstOrThrow()).onHand.toNumber()).toBe(0);
});
