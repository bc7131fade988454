import { helpFeature } from '../../../src/features/help';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/**
 * How staff actually write stock messages (issue 14, item 2), through the encrypted callback
 * path: the verb after the SKU or at the end, everyday verbs, no spaces, full-width digits,
 * several items in one message — and the everyday 收到 / 撤销了吗 that must not touch stock.
 */
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z'));
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature, helpFeature], clock });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,aliases\nS1,一店 · 人民路,一店\nS2,二店 · 滨江路,二店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nliqiang,李强,S1,店员\nchenjing,陈静,S2,店员\n', 'csv');
  await importMasterData(
    db,
    'skus',
    'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,鲜奶,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\nMANGO,芒果,,水果,个,箱=20,4.5\nTOAST,吐司,,烘焙,袋,,9\nPEARL,珍珠,波霸,小料,袋,箱=20,12.8\n',
    'csv',
  );
}, 60_000);
afterAll(() => h.stop());
beforeEach(() => clock.advance(61_000));

const booked = async () => (await h.app.db.stockMove.findMany({ orderBy: { id: 'asc' } })).map((m) => [m.skuCode, m.kind, m.quantity.toNumber(), m.reason]);
let seen = 0;
/** The moves booked since the last call. */
const newMoves = async () => {
  const all = await booked();
  const fresh = all.slice(seen);
  seen = all.length;
  return fresh;
};

it('reads the verb after the SKU, further in, or at the end', async () => {
  expect((await chat.say('xiaomei', '今天到货 吐司 20袋')).body).toMatchObject({ main_title: { title: '已入库 吐司 20袋' } });
  expect((await chat.say('xiaomei', '奶油入库2箱')).body).toMatchObject({ main_title: { title: '已入库 奶油 2箱（24盒）' } });
  expect((await chat.say('xiaomei', '牛奶3箱入库')).body).toMatchObject({ main_title: { title: '已入库 牛奶 3箱（36盒）' } });
  expect(await newMoves()).toEqual([
    ['TOAST', 'receipt', 20, null],
    ['CREAM', 'receipt', 24, null],
    ['MILK', 'receipt', 36, null],
  ]);
});

it('reads 到了 / 来货 / 收货 / 扔了 / 坏了 / 退给供应商, the quantity before the SKU, and no spaces', async () => {
  await chat.say('xiaomei', '到了两箱芒果');
  await chat.say('xiaomei', '来货 珍珠3箱');
  await chat.say('xiaomei', '收货牛奶1箱');
  await chat.say('xiaomei', '扔了两盒牛奶 过期了');
  await chat.say('xiaomei', '芒果3个坏了');
  await chat.say('xiaomei', '退给供应商 珍珠1箱 质量问题');
  expect(await newMoves()).toEqual([
    ['MANGO', 'receipt', 40, null],
    ['PEARL', 'receipt', 60, null],
    ['MILK', 'receipt', 12, null],
    ['MILK', 'waste', -2, '过期了'],
    ['MANGO', 'waste', -3, null],
    ['PEARL', 'return', -20, '质量问题'],
  ]);
});

it('reads full-width digits', async () => {
  expect((await chat.say('xiaomei', '入库 奶油 ２０盒')).body).toMatchObject({ main_title: { title: '已入库 奶油 20盒' } });
  expect(await newMoves()).toEqual([['CREAM', 'receipt', 20, null]]);
});

it('books every item of a message, or none of them and says which one is wrong', async () => {
  const cards = h.fake.inbox('xiaomei').length;
  await chat.say('xiaomei', '入库 奶油2箱 牛奶3箱');
  expect(
    h.fake
      .inbox('xiaomei')
      .slice(cards)
      .map((m) => (m.body.main_title as { title: string }).title),
  ).toEqual(['已入库 奶油 2箱（24盒）', '已入库 牛奶 3箱（36盒）']);
  expect(await newMoves()).toEqual([
    ['CREAM', 'receipt', 24, null],
    ['MILK', 'receipt', 36, null],
  ]);
  expect((await chat.say('xiaomei', '入库 奶油2箱 榴莲3箱')).body.content).toBe(
    '这条消息有 2 项，一项都没有记：\n· 第 2 项「榴莲 3箱」：没找到商品「榴莲」。请核对名称，或请管理员导入这个商品。\n请改好后整条再发一次。',
  );
  // A line refused while booking (more waste than there is) takes the others back with it.
  expect((await chat.say('xiaomei', '报损 奶油1盒 芒果500个')).body.content).toContain('库存不够');
  expect(await newMoves()).toEqual([]);
});

it('keeps 收到 / 收到了 / 好的收到 (got it) and 撤销了吗 away from stock', async () => {
  for (const text of ['收到', '收到了', '好的收到', '收到了吗']) {
    expect((await chat.say('liqiang', text)).body.content).toBe(`没看懂「${text}」。发送「帮助」查看我能做什么。`);
  }
  await chat.say('xiaomei', '入库 珍珠 1箱');
  await newMoves();
  expect((await chat.say('xiaomei', '撤销了吗')).body.content).toBe('没看懂「撤销了吗」。发送「帮助」查看我能做什么。');
  expect((await chat.say('xiaomei', '撤销 好像记错了 吗')).body.content).toBe('没有撤销任何记录。要撤销你记的上一笔，请只发「撤销」。');
  expect(await newMoves()).toEqual([]);
  expect((await chat.say('xiaomei', '撤销')).body.content).toBe('已撤销：入库 珍珠 1箱（20袋），10:05 记的。一店 · 人民路 珍珠 现有 40袋');
  await newMoves();
});

it('does not book questions, denials, or an unknown SKU moved into the note', async () => {
  for (const text of ['奶油到了吗', '牛奶还没到货', '芒果到了几箱？']) expect((await chat.say('liqiang', text)).body.content).toBe(`没看懂「${text}」。发送「帮助」查看我能做什么。`);
  expect((await chat.say('liqiang', '入库 奶油 2箱 榴莲')).body.content).toBe('「榴莲」是什么意思？是原因请写清楚（如：过期、压坏了），是另一个商品请带上数量。');
  expect(await newMoves()).toEqual([]);
});

it('keeps a reason written as a clause (太熟了, 规格不对), and asks about an approximate quantity (两箱多, 5箱左右)', async () => {
  await chat.say('xiaomei', '芒果 扔掉5个 太熟了');
  await chat.say('xiaomei', '退货 珍珠 1箱 规格不对');
  expect(await newMoves()).toEqual([
    ['MANGO', 'waste', -5, '太熟了'],
    ['PEARL', 'return', -20, '规格不对'],
  ]);
  for (const text of ['两箱多', '5箱左右']) expect((await chat.say('xiaomei', `入库 奶油 ${text}`)).body.content).toBe(`「${text}」是多少？数量请写成 2箱、2.5箱、两箱半 或 5箱3盒。`);
  expect(await newMoves()).toEqual([]);
});

it('reads what follows the receiving store as the transfer’s note', async () => {
  await chat.say('xiaomei', '入库 奶油 1箱');
  await newMoves();
  expect((await chat.say('xiaomei', '调拨 奶油 1箱 到二店 他们断货了')).body).toMatchObject({ main_title: { title: '已调出 奶油 1箱（12盒）' } });
  expect(await newMoves()).toEqual([['CREAM', 'transfer_out', -12, '调拨到 二店 · 滨江路（他们断货了）']]);
});
