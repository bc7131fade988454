import type { Database } from '../../../src/db';
import { importMasterData } from '../../../src/features/masterdata/import';
import { loadConfig } from '../../../src/config';
import { bookMove, bookMoves } from '../../../src/features/stock/booking';
import { lockTransfer, receiveTransferLeg, sendTransferLeg } from '../../../src/features/stock/transfers';
import { openTestDatabase } from '../../helpers/database';

/** Twenty members of staff booking the same SKU at once: no update may be lost. */
const config = loadConfig({});
let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await importMasterData(database.prisma, 'stores', 'code,name\nS1,一店\nS2,二店\n', 'csv');
  await importMasterData(database.prisma, 'skus', 'code,name,category,base_unit,cost_price\nMILK,牛奶,乳品,盒,6.5\n', 'csv');
});
afterAll(() => database.close());

it('keeps on-hand exact under 20 concurrent writers, and the ledger sums to it', async () => {
  const db = database.prisma;
  const now = new Date();
  const book = (i: number, quantity: number) =>
    db.$transaction(
      (tx) =>
        bookMove(
          tx,
          config,
          { storeCode: 'S1', skuCode: 'MILK', kind: quantity > 0 ? 'receipt' : 'waste', quantity, occurredAt: now, recordedAt: now, source: 'chat', externalId: `w${i}:${quantity}` },
          { baseUnit: '盒', allowNegative: false },
        ),
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
  await db.$transaction((tx) =>
    bookMove(tx, config, { storeCode: 'S1', skuCode: 'MILK', kind: 'waste', quantity: -170, occurredAt: now, recordedAt: now, source: 'chat' }, { baseUnit: '盒', allowNegative: false }),
  );
  // 10 left; 20 writers each take 1: exactly 10 succeed.
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, () =>
      db.$transaction(
        (tx) => bookMove(tx, config, { storeCode: 'S1', skuCode: 'MILK', kind: 'waste', quantity: -1, occurredAt: now, recordedAt: now, source: 'chat' }, { baseUnit: '盒', allowNegative: false }),
        { maxWait: 15_000 },
      ),
    ),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
  expect(results.filter((r) => r.status === 'rejected').every((r) => String((r as PromiseRejectedResult).reason.code) === 'stock.negative')).toBe(true);
  expect((await db.stockBalance.findFirstOrThrow()).onHand.toNumber()).toBe(0);
  // A refused move leaves no row behind.
  expect(await db.stockMove.count({ where: { kind: 'waste', quantity: -1 } })).toBe(10);
});

it('keeps both stores exact under 20 concurrent transfers, each confirmed by two colleagues at once', async () => {
  const db = database.prisma;
  const now = new Date();
  const sku = { code: 'MILK', baseUnit: '盒', allowNegative: false };
  await db.$transaction((tx) =>
    bookMove(
      tx,
      config,
      { storeCode: 'S1', skuCode: 'MILK', kind: 'receipt', quantity: 100, occurredAt: now, recordedAt: now, source: 'chat', externalId: 'transfer-stock' },
      { baseUnit: '盒', allowNegative: false },
    ),
  );
  // 20 senders at once, while 20 others book receipts into the sending store.
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      Promise.all([
        db.$transaction(
          (tx) =>
            sendTransferLeg(tx, config, { fromStore: 'S1', toStore: 'S2', sku, baseQuantity: 3, userid: `u${i}`, occurredAt: now, now, source: 'chat', externalId: `t${i}`, reason: '调拨到 二店' }),
          { maxWait: 15_000 },
        ),
        db.$transaction(
          (tx) =>
            bookMove(
              tx,
              config,
              { storeCode: 'S1', skuCode: 'MILK', kind: 'receipt', quantity: 1, occurredAt: now, recordedAt: now, source: 'chat', externalId: `r${i}` },
              { baseUnit: '盒', allowNegative: false },
            ),
          { maxWait: 15_000 },
        ),
      ]),
    ),
  );
  const transfers = await db.stockTransfer.findMany();
  expect(transfers).toHaveLength(20);
  // Every transfer confirmed twice at the same moment: the row lock lets exactly one book it.
  const confirm = (id: bigint, userid: string) =>
    db.$transaction(
      async (tx) => {
        const transfer = (await lockTransfer(tx, { id }))!;
        if (transfer.status !== 'in_transit') return 'already';
        await receiveTransferLeg(tx, config, transfer, { userid, baseQuantity: 3, note: '', now });
        return 'booked';
      },
      { maxWait: 15_000 },
    );
  const outcomes = await Promise.all(transfers.flatMap((t) => [confirm(t.id, 'a'), confirm(t.id, 'b')]));
  expect(outcomes.filter((o) => o === 'booked')).toHaveLength(20);
  const balance = async (store: string) => (await db.stockBalance.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: store, skuCode: 'MILK' } } })).onHand.toNumber();
  expect(await balance('S1')).toBe(100 + 20 - 60);
  expect(await balance('S2')).toBe(60);
  const sums = await db.$queryRaw<
    { store_code: string; sum: string }[]
  >`SELECT store_code, SUM(quantity)::text AS sum FROM stock_move WHERE external_id = 'transfer-stock' OR external_id LIKE 't%' OR external_id LIKE 'r%' OR external_id LIKE 'transfer:%' GROUP BY store_code ORDER BY store_code`;
  expect(sums.map((r) => [r.store_code, Number(r.sum)])).toEqual([
    ['S1', 60],
    ['S2', 60],
  ]);
  expect(await db.stockMove.count({ where: { kind: 'transfer_in' } })).toBe(20);
});

it('keeps on-hand exact under 20 concurrent batches over the same SKUs in opposite orders (no deadlock)', async () => {
  const db = database.prisma;
  const now = new Date();
  const before = async (store: string) => (await db.stockBalance.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: store, skuCode: 'MILK' } } })).onHand.toNumber();
  const [s1, s2] = [await before('S1'), await before('S2')];
  const skus = new Map([['MILK', { baseUnit: '盒', allowNegative: false }]]);
  const move = (storeCode: string, i: number) => ({
    storeCode,
    skuCode: 'MILK',
    kind: 'receipt' as const,
    quantity: 2,
    occurredAt: now,
    recordedAt: now,
    source: 'pos' as const,
    externalId: `batch${i}:${storeCode}`,
  });
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => db.$transaction((tx) => bookMoves(tx, config, i % 2 ? [move('S1', i), move('S2', i)] : [move('S2', i), move('S1', i)], skus, now), { maxWait: 15_000 })),
  );
  // A batch seen again books nothing.
  await db.$transaction((tx) => bookMoves(tx, config, [move('S1', 0), move('S2', 0)], skus, now));
  expect([await before('S1'), await before('S2')]).toEqual([s1 + 40, s2 + 40]);
});
