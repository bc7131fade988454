import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { bookMove } from '../../../src/features/stock/booking';
import { stockoutRisks } from '../../../src/features/stock/stockout';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';

/** The morning stockout warning: usage forecast from the ledger against on-hand plus incoming. */
const MORNING = new Date('2026-11-24T23:00:00Z'); // Wednesday 25 Nov, 07:00 in Shanghai
const clock = new TestClock(MORNING.getTime());
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\nS2,二店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nboss,王店长,S1,店长\nboss2,赵店长,S2,店长\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\nTEA,红茶,,茶叶,袋,,12\n', 'csv');
  // Four weeks of history, as the POS posted it (at 15:00 local each day): cream 10 a day,
  // milk 2 a day, tea 8 on weekdays and 20 on weekends; a sale undone by a reversal counts for nothing.
  let n = 0;
  for (let d = 28; d >= 1; d--) {
    const at = new Date(MORNING.getTime() - d * 86_400_000 + 8 * 3600_000);
    const weekend = [0, 6].includes(new Date(at.getTime() + 8 * 3600_000).getUTCDay());
    for (const [sku, qty] of [
      ['CREAM', 10],
      ['MILK', 2],
      ['TEA', weekend ? 20 : 8],
    ] as const) {
      await db.stockMove.create({ data: { storeCode: 'S1', skuCode: sku, kind: 'sale', quantity: -qty, occurredAt: at, recordedAt: at, source: 'pos', externalId: `pos:${++n}` } });
    }
  }
  const undone = await db.stockMove.create({
    data: { storeCode: 'S1', skuCode: 'MILK', kind: 'sale', quantity: -500, occurredAt: new Date(MORNING.getTime() - 3 * 86_400_000), recordedAt: MORNING, source: 'pos', externalId: 'pos:wrong' },
  });
  await db.stockMove.create({
    data: { storeCode: 'S1', skuCode: 'MILK', kind: 'reversal', quantity: 500, reversesId: undone.id, occurredAt: MORNING, recordedAt: MORNING, source: 'pos', externalId: 'pos:undo' },
  });
  for (const [sku, qty] of [
    ['CREAM', 25],
    ['MILK', 100],
    ['TEA', 30],
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
});
afterAll(() => h.stop());

const run = async (fire: Date) => {
  await h.app.scheduler.runJob(
    h.app.bot.jobs.find((j) => j.name === 'stock.warnStockouts')!,
    fire,
  );
  await h.settle();
};

it('warns the manager of the SKUs likely to run out, with the day, soonest first', async () => {
  await run(MORNING);
  const messages = h.fake.inbox('boss');
  expect(messages).toHaveLength(1);
  expect(messages[0].body.content).toBe(
    ['【断货预警】一店 未来 7 天可能断货 2 项：', '· 奶油：现有 25盒，日均约 10盒，预计11月27日（周五）用完', '· 红茶：现有 30袋，日均约 11.4袋，预计11月28日（周六）用完'].join('\n'),
  );
  expect(h.fake.inbox('boss2')).toHaveLength(0); // nothing used there, nothing to warn of
});

it('counts expected deliveries as incoming, and sends one message per morning however often the job runs', async () => {
  await h.app.db.stockDelivery.create({
    data: {
      id: 'ERP-9',
      source: 'erp',
      storeCode: 'S1',
      expectedAt: new Date('2026-11-26T02:00:00Z'),
      createdAt: MORNING,
      updatedAt: MORNING,
      lines: { create: [{ lineNo: 1, skuCode: 'CREAM', quantity: 24, unitQuantity: 2, unit: '箱' }] },
    },
  });
  const cream = (await stockoutRisks(h.app.db, 'S1', '2026-11-25', 'Asia/Shanghai')).find((r) => r.skuCode === 'CREAM');
  // 25 on hand, 10 a day, 24 arriving on the 26th: 15, 29, 19, 9, −1.
  expect(cream).toMatchObject({ skuCode: 'CREAM', runOutDate: '2026-11-29' });
  await run(MORNING); // the same morning again: nothing new
  expect(h.fake.inbox('boss')).toHaveLength(1);
  clock.advance(86_400_000);
  await run(new Date(MORNING.getTime() + 86_400_000));
  expect(h.fake.inbox('boss')).toHaveLength(2);
});
