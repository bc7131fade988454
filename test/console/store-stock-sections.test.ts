import { consoleMiddleware } from '../../src/console';
import { stockFeature } from '../../src/features/stock';
import { importMasterData } from '../../src/features/masterdata/import';
import { bookMove } from '../../src/features/stock/booking';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { signIn, type Member } from './helpers';

/**
 * The stock sections of a store's console page on data known in advance: count accuracy and the
 * variance per SKU (figures worked out by hand below), the low-stock alert, the stockout forecast
 * computed on request, and what waits for review or was entered late. Nothing of another store.
 */
const MORNING = new Date('2026-11-24T23:00:00Z'); // Wednesday 25 Nov, 07:00 in Shanghai
const NOW = new Date(MORNING.getTime() + 2 * 3600_000); // 09:00
const clock = new TestClock(NOW.getTime());
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000);
let h: Harness;
let east: Member;
let m2: Member;
let closedCount: bigint;
let approvedCount: bigint;
let otherStoreCount: bigint;
let openCount: bigint;
let transfers: bigint[];

type Table = { title?: string; summary: string | null; columns: { key: string }[]; chart: unknown; rows: { id?: string; cells: Record<string, string | number | null> }[] };
const table = async (m: Member, path: string) => {
  const res = await m.get(path);
  expect([path, res.status]).toEqual([path, 200]);
  return (await res.json()) as Table;
};
const section = (key: string, code = 'S1') => table(east, `/console/api/stores/${code}/sections/${key}`);

beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock, middleware: consoleMiddleware, env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40) } });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role,area\neast,刘经理,,区域经理,华东区\nboss,王店长,S1,店长,\nm2,吴店长,S2,店长,\nzhang,张三,S1,店员,\n', 'csv');
  await importMasterData(
    db,
    'skus',
    'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\nTEA,红茶,,茶叶,袋,,12\nSUGAR,白糖,,干货,袋,,4\n',
    'csv',
  );
  await importMasterData(db, 'sku-settings', 'store,sku,safety_stock,max_daily_loss\nS1,CREAM,40,0\nS1,MILK,10,0\n', 'csv');
  // Cream sells 10 a day for four weeks; this morning 25 came in: it runs out on Friday the 27th.
  let n = 0;
  for (let d = 28; d >= 1; d--) {
    const at = new Date(MORNING.getTime() - d * 86_400_000 + 8 * 3600_000);
    await db.stockMove.create({ data: { storeCode: 'S1', skuCode: 'CREAM', kind: 'sale', quantity: -10, occurredAt: at, recordedAt: at, source: 'pos', externalId: `pos:${++n}` } });
  }
  for (const [sku, qty] of [
    ['CREAM', 25],
    ['MILK', 100],
    ['TEA', 30],
    ['SUGAR', 5],
  ] as const) {
    await db.$transaction((tx) =>
      bookMove(
        tx,
        h.app.config,
        { storeCode: 'S1', skuCode: sku, kind: 'receipt', quantity: qty, occurredAt: MORNING, recordedAt: MORNING, source: 'erp', externalId: `erp:${sku}` },
        { baseUnit: '盒', allowNegative: false },
      ),
    );
  }
  // Cream (25) is below its safety stock (40): booking the receipt raised the alert, this morning.

  // An approved count last week, exact; and this morning's closed count: milk recounted (90, then
  // 98 against 100), cream exact, tea one over (31 against 30); sugar (5 on hand) not counted.
  const count = (status: string, at: Date, storeCode = 'S1') =>
    db.stockCount.create({
      data: { storeCode, status, openedBy: 'boss', openedAt: at, closedBy: 'boss', closedAt: at, approvedAt: status === 'approved' ? at : null, externalId: `count:${storeCode}:${at.getTime()}` },
    });
  const entry = (countId: bigint, skuCode: string, counted: number, book: number) =>
    db.stockCountEntry.create({ data: { countId, skuCode, counted, book, countedBy: 'zhang', countedAt: NOW, source: 'chat', externalId: `entry:${++n}` } });
  approvedCount = (await count('approved', hoursAgo(24 * 7))).id;
  await entry(approvedCount, 'MILK', 100, 100);
  closedCount = (await count('closed', hoursAgo(1))).id;
  await entry(closedCount, 'MILK', 90, 100);
  await entry(closedCount, 'MILK', 98, 100);
  await entry(closedCount, 'CREAM', 25, 25);
  await entry(closedCount, 'TEA', 31, 30);
  // A count of dairy begun since, nothing counted yet: listed, but the summary is of the closed one.
  openCount = (await db.stockCount.create({ data: { storeCode: 'S1', category: '乳品', status: 'open', openedBy: 'boss', openedAt: NOW, externalId: 'count:open' } })).id;
  otherStoreCount = (await count('closed', hoursAgo(2), 'S2')).id;
  await entry(otherStoreCount, 'MILK', 1, 50);

  // Waiting: waste held for the manager, a late and an arrived delivery, two transfers; a move recorded 9 hours late.
  const hold = { skuCode: 'MILK', quantity: 8, reason: '过期', staffUserid: 'zhang', occurredAt: hoursAgo(1), dayTotal: 12, dayLimit: 10, needsManager: true, createdAt: hoursAgo(1) };
  await db.stockLossHold.create({ data: { ...hold, sourceKey: 'chat:1', storeCode: 'S1' } });
  await db.stockLossHold.create({ data: { ...hold, sourceKey: 'chat:2', storeCode: 'S1', status: 'booked' } });
  await db.stockLossHold.create({ data: { ...hold, sourceKey: 'chat:3', storeCode: 'S2' } });
  const delivery = (id: string, expectedAt: Date, lateAt: Date | null) =>
    db.stockDelivery.create({
      data: {
        id,
        source: 'erp',
        storeCode: 'S1',
        expectedAt,
        lateAt,
        createdAt: MORNING,
        updatedAt: MORNING,
        lines: { create: [{ lineNo: 1, skuCode: 'MILK', quantity: 24, unitQuantity: 2, unit: '箱' }] },
      },
    });
  await delivery('ERP-LATE', hoursAgo(5), hoursAgo(1));
  await delivery('ERP-ARRIVED', hoursAgo(1), null);
  await delivery('ERP-TOMORROW', new Date(NOW.getTime() + 86_400_000), null);
  const transfer = async (id: number, sentAt: Date) => {
    const out = await db.stockMove.create({
      data: { storeCode: 'S2', skuCode: 'TEA', kind: 'transfer_out', quantity: -2, occurredAt: sentAt, recordedAt: sentAt, source: 'chat', externalId: `out:${id}` },
    });
    return (
      await db.stockTransfer.create({
        data: { fromStore: 'S2', toStore: 'S1', skuCode: 'TEA', quantity: 2, status: 'in_transit', sentBy: 'm2', sentAt, outMoveId: out.id, externalId: `transfer:${id}` },
      })
    ).id;
  };
  transfers = [await transfer(1, hoursAgo(3)), await transfer(2, new Date(NOW.getTime() - 30 * 60_000))];
  const late = await db.stockMove.create({
    data: { storeCode: 'S1', skuCode: 'SUGAR', kind: 'sale', quantity: -1, staffUserid: 'zhang', occurredAt: hoursAgo(10), recordedAt: hoursAgo(1), source: 'chat', externalId: 'chat:late' },
  });
  await db.stockLateMove.create({ data: { moveId: late.id, storeCode: 'S1', minutesLate: 540, flaggedAt: hoursAgo(1) } });

  east = await signIn(h, 'east');
  m2 = await signIn(h, 'm2');
}, 90_000);
afterAll(() => h.stop());

it('lists the counts with their accuracy, newest first, and the latest closed one above', async () => {
  const counts = await section('counts');
  // Milk −2 (within ±2% of 100), cream exact, tea +1 (over ±2% of 30): 2 of 3 within tolerance;
  // by quantity 1 − 3/155 = 98.1%; by cost 1 − (2×6.5 + 1×12)/(100×6.5 + 25×28 + 30×12) = 1 − 25/1710 = 98.5%.
  expect(counts.rows.map((r) => r.cells)).toEqual([
    { count: `#${openCount}`, scope: '乳品', status: '盘点中', opened: '2026/11/25 09:00', closed: null, skus: 0, withinTolerance: null, byQuantity: null, byCost: null, costDifference: null },
    {
      count: `#${closedCount}`,
      scope: '全部商品',
      status: '待批准',
      opened: '2026/11/25 08:00',
      closed: '2026/11/25 08:00',
      skus: 3,
      withinTolerance: 66.7,
      byQuantity: 98.1,
      byCost: 98.5,
      costDifference: '-1.00',
    },
    {
      count: `#${approvedCount}`,
      scope: '全部商品',
      status: '已批准',
      opened: '2026/11/18 09:00',
      closed: '2026/11/18 09:00',
      skus: 1,
      withinTolerance: 100,
      byQuantity: 100,
      byCost: 100,
      costDifference: '0.00',
    },
  ]);
  expect(counts.summary).toBe(`最近结束的盘点 #${closedCount}（2026/11/25 08:00，待批准）：数量准确率 98.1%，金额准确率 98.5%，差异在 ±2% 内的商品 2/3（66.7%）。点一行看各商品差异。`);
  expect(counts.chart).toMatchObject({ kind: 'line', category: 'count' });
});

it("shows a count's variance per SKU, the costliest first, and the SKUs with stock nobody counted", async () => {
  const variance = await table(east, `/console/api/stores/S1/sections/counts/rows/${closedCount}`);
  expect(variance.title).toBe(`盘点 #${closedCount}（全部商品，待批准）各商品差异`);
  expect(variance.rows.map((r) => r.cells)).toEqual([
    { sku: 'MILK', name: '牛奶', book: '100', counted: '98', difference: '-2', unit: '盒', costPrice: '6.50', costDifference: '-13.00', withinTolerance: '是' },
    { sku: 'TEA', name: '红茶', book: '30', counted: '31', difference: '1', unit: '袋', costPrice: '12.00', costDifference: '12.00', withinTolerance: '否' },
    { sku: 'CREAM', name: '奶油', book: '25', counted: '25', difference: '0', unit: '盒', costPrice: '28.00', costDifference: '0.00', withinTolerance: '是' },
  ]);
  expect(variance.summary).toBe('数量准确率 98.1%，金额准确率 98.5%，差异在 ±2% 内的商品 2/3（66.7%）；有库存但没盘到 1 项：白糖 5袋。');
  const outside = await east.get(`/console/api/stores/S1/sections/counts/rows/${closedCount}?f.withinTolerance=否&format=csv`);
  expect((await outside.text()).trim().split('\n')).toEqual(['编码,商品,账面,实盘,差异,单位,成本价,差异金额(元),容差内', 'TEA,红茶,30,31,1,袋,12.00,12.00,否']);
});

it("answers 404 for another store's count under this store, and for a count that does not exist", async () => {
  expect((await east.get(`/console/api/stores/S1/sections/counts/rows/${otherStoreCount}`)).status).toBe(404);
  expect((await east.get('/console/api/stores/S1/sections/counts/rows/999999')).status).toBe(404);
  expect((await east.get('/console/api/stores/S1/sections/counts/rows/abc')).status).toBe(404);
  expect((await east.get('/console/api/stores/S1/sections/stock/rows/1')).status).toBe(404);
  // The S2 manager sees their own count, not S1's.
  expect((await table(m2, `/console/api/stores/S2/sections/counts/rows/${otherStoreCount}`)).rows).toHaveLength(1);
  expect((await m2.get(`/console/api/stores/S1/sections/counts/rows/${closedCount}`)).status).toBe(403);
});

it('shows what is below safety stock with the reorder quantity the alert worked out', async () => {
  const alert = await h.app.db.stockLowAlert.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: 'S1', skuCode: 'CREAM' } } });
  // Safety 40 + three days' forecast use (10 a day) − 25 on hand: 45.
  expect(alert.reorderQuantity.toNumber()).toBe(45);
  const low = await section('lowStock');
  expect(low.rows.map((r) => r.cells)).toEqual([{ sku: 'CREAM', name: '奶油', category: '乳品', onHand: '25', safetyStock: '40', reorder: '45', unit: '盒', alerted: '2026/11/25 07:00' }]);
  expect(low.summary).toMatch(/^1 项低于安全库存/);
  expect((await section('lowStock', 'S2')).rows).toEqual([]);
});

it('computes the stockout forecast on request: cream runs out on Friday, sugar on Monday', async () => {
  const forecast = await section('stockout');
  // Sugar: one sold yesterday (the late entry) is all its history, a day's use of 1 against 5 on hand.
  expect(forecast.rows.map((r) => r.cells)).toEqual([
    { sku: 'CREAM', name: '奶油', onHand: '25', daily: '10', unit: '盒', runOut: '11-27（周五）', daysLeft: 2 },
    { sku: 'SUGAR', name: '白糖', onHand: '5', daily: '1', unit: '袋', runOut: '11-30（周一）', daysLeft: 5 },
  ]);
  expect(forecast.summary).toContain('未来 7 天');
});

it('lists the pending waste review, unbooked deliveries, transfers not received and late entries of this store only', async () => {
  const pending = await section('pending');
  expect(pending.rows.map((r) => r.cells)).toEqual([
    { type: '报损待审', what: '牛奶 8盒（过期），今日报损 12，上限 10', who: '张三', at: '2026/11/25 08:00', hours: 1, state: '待店长批准' },
    { type: '到货未入库', what: '到货单 ERP-LATE：牛奶 24盒', who: null, at: '2026/11/25 04:00', hours: 5, state: '已超时（已扣分）' },
    { type: '到货未入库', what: '到货单 ERP-ARRIVED：牛奶 24盒', who: null, at: '2026/11/25 08:00', hours: 1, state: '待入库' },
    { type: '调拨未收货', what: `调拨单 #${transfers[0]}，二店 调来 红茶 2袋`, who: '吴店长', at: '2026/11/25 06:00', hours: 3, state: '超时未确认' },
    { type: '调拨未收货', what: `调拨单 #${transfers[1]}，二店 调来 红茶 2袋`, who: '吴店长', at: '2026/11/25 08:30', hours: 0.5, state: '在途' },
    { type: '补记过晚', what: '销售 白糖 1袋，发生于 2026/11/24 23:00', who: '张三', at: '2026/11/25 08:00', hours: 9, state: '晚记已标记' },
  ]);
  const filtered = await east.get('/console/api/stores/S1/sections/pending?f.type=报损待审');
  expect(((await filtered.json()) as Table).rows).toHaveLength(1);
  expect((await section('pending', 'S2')).rows.map((r) => r.cells.type)).toEqual(['报损待审']);
});
