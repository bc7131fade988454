import { helpFeature } from '../../../src/features/help';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/** 扫码入库 / 扫码报损 / 扫码盘点 from the app menu: the barcode names SKU and unit, the bot asks how many. */
const clock = new TestClock();
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature, helpFeature], clock });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS001,一店 · 人民路\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S001,店员\nliqiang,李强,S001,店员\nzhou,周店长,S001,店长\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price,barcodes\nMILK,牛奶,,乳品,盒,箱=12,6.5,6900000010006|6910000010005@箱\n', 'csv');
}, 120_000);
afterAll(() => h.stop());
beforeEach(() => clock.advance(61_000));

const onHand = () => chat.onHand('S001', 'MILK');

it('puts the three scan buttons in the app menu', () => {
  expect(h.app.bot.menu).toContainEqual({
    name: '库存',
    type: 'click',
    sub_button: [
      { type: 'scancode_waitmsg', name: '扫码入库', key: 'stock.scanReceive' },
      { type: 'scancode_waitmsg', name: '扫码报损', key: 'stock.scanWaste' },
      { type: 'scancode_waitmsg', name: '扫码盘点', key: 'stock.scanCount' },
    ],
  });
});

it('books a receipt of cases from a tap on the quantity card, once', async () => {
  const card = await chat.scan('xiaomei', 'stock.scanReceive', '6910000010005');
  expect(card.body).toMatchObject({ main_title: { title: '入库：牛奶（箱）', desc: '条码 6910000010005' } });
  expect((card.body.button_list as { text: string }[]).map((b) => b.text)).toEqual(['1箱', '2箱', '3箱', '5箱', '10箱']);
  expect((await chat.tap('liqiang', card, '2箱')).body.content).toBe('只能给你自己扫的商品填数量。');
  expect((await chat.tap('xiaomei', card, '2箱')).body).toMatchObject({ main_title: { title: '已入库 牛奶 2箱（24盒）' }, sub_title_text: '一店 · 人民路 现有 24盒' });
  expect(h.fake.cardView(String(card.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已记 2' });
  expect((await chat.tap('xiaomei', card, '3箱')).body.content).toBe('这一笔已经记过了。');
  expect(await onHand()).toBe(24);
  expect(await h.app.db.stockMove.findFirstOrThrow()).toMatchObject({ kind: 'receipt', source: 'scan', externalId: expect.stringMatching(/^scan:\d+$/) });
});

it('books waste from the next message, with its reason, in the unit the barcode counts', async () => {
  expect((await chat.scan('xiaomei', 'stock.scanWaste', '6900000010006')).body).toMatchObject({ main_title: { title: '报损：牛奶（盒）' } });
  expect((await chat.say('xiaomei', '2桶')).body.content).toContain('没看懂数量');
  expect((await chat.say('xiaomei', '2 过期')).body).toMatchObject({ main_title: { title: '已报损 牛奶 2盒', desc: '过期' } });
  expect(await onHand()).toBe(22);
  // The scan is done: another bare number is not booked against it.
  expect((await chat.say('xiaomei', '3')).body.content).toContain('这个数量记到哪儿');
  expect(await onHand()).toBe(22);
});

it('answers an unknown barcode in Chinese', async () => {
  expect((await chat.scan('xiaomei', 'stock.scanReceive', '1234567890123')).body.content).toContain('条码 1234567890123 不在商品目录里');
});

it('counts by scan only while a count is open', async () => {
  expect((await chat.scan('xiaomei', 'stock.scanCount', '6900000010006')).body.content).toContain('现在没有进行中的盘点');
  await chat.say('zhou', '开始盘点');
  await chat.scan('xiaomei', 'stock.scanCount', '6900000010006');
  const count = await h.app.db.stockCount.findFirstOrThrow();
  expect((await chat.say('xiaomei', '20')).body.content).toBe(`已记盘点 #${count.id}：牛奶 20盒。本次已盘 1 个商品。`);
  expect(await h.app.db.stockCountEntry.findFirstOrThrow()).toMatchObject({ source: 'scan', countedBy: 'xiaomei' });
});
