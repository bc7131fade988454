import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/** 盘点 through the encrypted callback path: open, count in any order, close, approve. */
const clock = new TestClock();
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  // Dairy gets a looser tolerance than the chain's ±2%: the report says so and scores by it.
  h = await startHarness({ features: [stockFeature], clock, env: { COUNT_TOLERANCE_BY_CATEGORY: '{"乳品":10}' } });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,aliases\nS001,一店 · 人民路,一店\nS002,二店 · 滨江路,二店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S001,店员\nliqiang,李强,S001,店员\nzhou,周店长,S001,店长\nchenjing,陈静,S002,店员\n', 'csv');
  await importMasterData(
    db,
    'skus',
    'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\nCONDMILK,炼乳,,乳品,罐,,9.8\nPEARL,珍珠,,配料,袋,,10\n',
    'csv',
  );
  for (const text of ['入库 牛奶 2箱', '入库 奶油 20盒', '入库 炼乳 5罐', '入库 珍珠 10袋']) await chat.say('xiaomei', text);
  await chat.say('chenjing', '入库 奶油 1箱');
}, 120_000);
afterAll(() => h.stop());
// WeCom lets one member receive 30 messages a minute: each step is a minute apart.
beforeEach(() => clock.advance(61_000));

const onHand = (sku: string) => chat.onHand('S001', sku);

it('lets only a manager open a count, one at a time per store, and tells the staff', async () => {
  expect((await chat.say('xiaomei', '开始盘点')).body.content).toBe('盘点要由店长（或区域经理）开始、结束和确认。');
  expect((await chat.say('zhou', '开始盘点 饮料')).body.content).toContain('没有「饮料」这个类别。可以盘：');
  const opened = await chat.say('zhou', '开始盘点 乳品');
  const count = await h.app.db.stockCount.findFirstOrThrow();
  expect(opened.body.content).toContain(`已开始盘点 #${count.id}：一店 · 人民路，「乳品」类商品。`);
  expect(h.fake.inbox('liqiang').at(-1)!.body.content).toContain(`一店 · 人民路开始盘点 #${count.id}（「乳品」类商品）`);
  expect((await chat.say('zhou', '开始盘点')).body.content).toContain(`已有一次盘点（#${count.id}）在进行中`);
  expect(count).toMatchObject({ storeCode: 'S001', category: '乳品', status: 'open', openedBy: 'zhou' });
});

it('takes entries in any order and sessions, compares each with the book when it was counted', async () => {
  const count = await h.app.db.stockCount.findFirstOrThrow();
  expect((await chat.say('xiaomei', '盘点 牛奶 22盒')).body.content).toBe(`已记盘点 #${count.id}：牛奶 22盒。本次已盘 1 个商品。`);
  // Waste booked after milk was counted is not a count difference: the count saw 22 of a book of 24.
  await chat.say('liqiang', '报损 牛奶 2盒 过期');
  expect(await onHand('MILK')).toBe(22);
  expect((await chat.say('liqiang', '盘点 珍珠 5袋')).body.content).toBe('这次盘点只盘「乳品」类，珍珠不在里面。');
  expect((await chat.say('liqiang', '盘点 奶油 1箱')).body.content).toBe(`已记盘点 #${count.id}：奶油 1箱（12盒）。本次已盘 2 个商品。`);
  expect((await chat.say('liqiang', '盘点 奶油 20盒')).body.content).toBe(`已记盘点 #${count.id}：奶油 20盒，改掉之前录的 12盒。本次已盘 2 个商品。`);
  const entries = await h.app.db.stockCountEntry.findMany({ orderBy: { id: 'asc' } });
  expect(entries.map((e) => [e.skuCode, e.counted.toNumber(), e.book.toNumber(), e.countedBy])).toEqual([
    ['MILK', 22, 24, 'xiaomei'],
    ['CREAM', 12, 20, 'liqiang'],
    ['CREAM', 20, 20, 'liqiang'],
  ]);
  // A store with no open count takes no entries.
  expect((await chat.say('chenjing', '盘点 奶油 0盒')).body.content).toContain('二店 · 滨江路现在没有进行中的盘点');
});

it('closes with the variance per SKU and the accuracy, and reopens on the card', async () => {
  expect((await chat.say('liqiang', '结束盘点')).body.content).toBe('盘点要由店长（或区域经理）开始、结束和确认。');
  await chat.say('zhou', '结束盘点');
  const [report, card] = h.fake.inbox('zhou').slice(-2);
  const count = await h.app.db.stockCount.findFirstOrThrow();
  expect(report.body.content).toBe(
    [
      `一店 · 人民路 盘点 #${count.id}（乳品）已结束：盘了 2 个商品。`,
      // 1 − 2/44 by quantity; 1 − 13/716 by cost; milk is 8% off (inside dairy's ±10%), cream exact.
      '准确率：按数量 95.5%，按金额 98.2%；差异在 ±2%（乳品 ±10%） 内的商品 2/2（100.0%）。',
      '有差异的 1 个（按金额排）：',
      '牛奶 账面 24 实盘 22 差 -2盒（−¥13.00）',
      '未盘（账面有货，不调整、不计入准确率）1 个：炼乳 5罐',
    ].join('\n'),
  );
  expect(card.body).toMatchObject({ main_title: { title: `盘点 #${count.id}：按实盘调整 1 个商品？` } });
  expect((await chat.say('xiaomei', '盘点 炼乳 5罐')).body.content).toContain('已结束，等店长确认调整');
  expect((await chat.tap('zhou', card, '继续盘点')).body.content).toBe(`盘点 #${count.id} 继续进行，可以补录；盘完再发「结束盘点」。`);
  expect((await chat.say('xiaomei', '盘点 炼乳 4罐')).body.content).toContain('本次已盘 3 个商品');
});

it('books the differences as count adjustments once the manager approves, once', async () => {
  await chat.say('zhou', '结束盘点');
  const [report, card] = h.fake.inbox('zhou').slice(-2);
  expect(report.body.content).toContain('盘了 3 个商品');
  const count = await h.app.db.stockCount.findFirstOrThrow();
  expect((await chat.tap('zhou', card, '确认调整')).body.content).toBe(`盘点 #${count.id} 已确认：调整 2 个商品，盘盈 ¥0.00，盘亏 ¥22.80。库存已按实盘更新。`);
  // The waste booked after milk was counted stays: 22 counted − 2 wasted since.
  expect(await onHand('MILK')).toBe(20);
  expect(await onHand('CREAM')).toBe(20);
  expect(await onHand('CONDMILK')).toBe(4);
  const adjustments = await h.app.db.stockMove.findMany({ where: { kind: 'count_adjustment' }, orderBy: { skuCode: 'asc' } });
  expect(adjustments.map((m) => [m.skuCode, m.quantity.toNumber(), m.source])).toEqual([
    ['CONDMILK', -1, 'count'],
    ['MILK', -2, 'count'],
  ]);
  expect((await chat.tap('zhou', card, '确认调整')).body.content).toBe(`盘点 #${count.id} 已经确认调整过了。`);
  expect(await h.app.db.stockMove.count({ where: { kind: 'count_adjustment' } })).toBe(2);
  const closed = await h.app.db.stockCount.findFirstOrThrow();
  expect(closed).toMatchObject({ status: 'approved', approvedBy: 'zhou', skusCounted: 3 });
  expect(closed.accuracyByQuantity!.toNumber()).toBeCloseTo(1 - 3 / 49, 5);
  expect((await chat.say('zhou', '撤销')).body.content).toBe('盘点调整不能撤销；如有错误，请店长再开一次盘点。');
});

it('cannot open a count while a transfer that has arrived is not confirmed', async () => {
  await chat.say('chenjing', '调拨 奶油 1箱 到 一店');
  const transfer = await h.app.db.stockTransfer.findFirstOrThrow();
  clock.advance(3 * 3_600_000);
  expect((await chat.say('zhou', '开始盘点')).body.content).toBe(`一店 · 人民路现在还不能开始盘点，先处理：\n· 调拨单 #${transfer.id} 已发出超过 2 小时还没确认收货（发「调拨收货」处理）`);
  await chat.say('xiaomei', `调拨收货 ${transfer.id}`);
  expect((await chat.say('zhou', '开始盘点')).body.content).toContain('一店 · 人民路，全部商品。');
});
