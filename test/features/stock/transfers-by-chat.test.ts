import { helpFeature } from '../../../src/features/help';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { textMessage } from '../../helpers/wecom-callback';
import { stockChat } from './chat';

/** 调拨 between stores through the encrypted callback path: two legs, confirmed by the receiver. */
const clock = new TestClock();
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature, helpFeature], clock });
  chat = stockChat(h);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,aliases\nS001,一店 · 人民路,一店\nS002,二店 · 滨江路,二店|滨江\nS003,三店 · 新街口,\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S001,店员\nchenjing,陈静,S002,店员\nsunli,孙丽,S002,店员\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nCREAM,奶油,,乳品,盒,箱=12,28\n', 'csv');
  await chat.say('xiaomei', '入库 奶油 10箱');
}, 120_000);
afterAll(() => h.stop());

it('books the out-leg at once, keeps the goods in transit, and asks the receiving store to confirm', async () => {
  const sent = await chat.say('xiaomei', '调拨 奶油 5箱 到 二店');
  expect(sent.body).toMatchObject({ main_title: { title: '已调出 奶油 5箱（60盒）', desc: '到 二店 · 滨江路，在途，等对方确认收货' }, button_list: [{ text: '撤销这笔调拨' }] });
  expect(await chat.onHand('S001', 'CREAM')).toBe(60);
  expect(await chat.onHand('S002', 'CREAM')).toBe(0);
  const transfer = await h.app.db.stockTransfer.findFirstOrThrow();
  expect(transfer).toMatchObject({ fromStore: 'S001', toStore: 'S002', status: 'in_transit', sentBy: 'xiaomei' });

  const cardChen = h.fake.inbox('chenjing').at(-1)!;
  const cardSun = h.fake.inbox('sunli').at(-1)!;
  expect(cardChen.body).toMatchObject({ main_title: { title: '调拨到货请确认：奶油 5箱（60盒）', desc: '一店 · 人民路 → 二店 · 滨江路' } });
  expect((await chat.say('chenjing', '调拨收货')).body.content).toContain(`#${transfer.id} 奶油 60盒（一店 · 人民路 发出）`);

  const confirmed = await chat.tap('chenjing', cardChen, '全部收到');
  expect(confirmed.body.content).toBe(`已确认收货：调拨单 #${transfer.id} 奶油 60盒（来自 一店 · 人民路）。二店 · 滨江路 现有 60盒`);
  expect(h.fake.cardView(String(cardChen.body.task_id), 'chenjing')).toMatchObject({ replacedName: '已确认收货' });
  expect(h.fake.inbox('xiaomei').at(-1)!.body.content).toBe(`二店 · 滨江路 已确认收到调拨单 #${transfer.id}：奶油 60盒。`);
  expect(await chat.onHand('S002', 'CREAM')).toBe(60);
  // Her colleague's card is late: received once, by the first tap.
  expect((await chat.tap('sunli', cardSun, '全部收到')).body.content).toBe(`调拨单 #${transfer.id} 已由陈静确认收货（60盒）。`);
  expect(await chat.onHand('S002', 'CREAM')).toBe(60);
  const moves = await h.app.db.stockMove.findMany({ where: { kind: { in: ['transfer_out', 'transfer_in'] } }, orderBy: { id: 'asc' } });
  expect(moves.map((m) => [m.storeCode, m.kind, m.quantity.toNumber()])).toEqual([
    ['S001', 'transfer_out', -60],
    ['S002', 'transfer_in', 60],
  ]);
  expect(await h.app.db.stockTransfer.findFirstOrThrow()).toMatchObject({ status: 'received', receivedBy: 'chenjing', inMoveId: moves[1].id, outMoveId: moves[0].id });
});

it('cannot receive what was not sent, and the sender cannot undo what was received', async () => {
  expect((await chat.say('sunli', '调拨收货')).body.content).toContain('没有发往二店 · 滨江路的在途调拨。调拨要先由调出门店发');
  expect((await chat.say('sunli', '调拨收货 999')).body.content).toContain('没有调拨单「999」');
  expect((await chat.say('xiaomei', '撤销')).body.content).toContain('对方已确认收货，不能撤销');
  expect((await chat.say('chenjing', '撤销')).body.content).toContain('调拨确认收货后不能撤销');
  expect(await chat.onHand('S001', 'CREAM')).toBe(60);
  expect(await chat.onHand('S002', 'CREAM')).toBe(60);
});

it('receives less than was sent only with a note, and tells the sender the difference', async () => {
  await chat.say('xiaomei', '调拨 奶油 2箱 到 S002');
  const transfer = await h.app.db.stockTransfer.findFirstOrThrow({ orderBy: { id: 'desc' } });
  const card = h.fake.inbox('chenjing').at(-1)!;
  expect((await chat.tap('chenjing', card, '数量不对')).body.content).toContain(`调拨单 #${transfer.id} 调出 奶油 24盒。请回复实际收到的数量和原因`);
  expect((await chat.say('chenjing', '20')).body.content).toContain('实收比调出的 24盒 少，请写上原因');
  expect((await chat.say('chenjing', '3箱')).body.content).toContain('实收 36盒 比调出的 24盒 多');
  expect((await chat.say('chenjing', '20盒 压坏4盒')).body.content).toBe(`已确认收货：调拨单 #${transfer.id} 奶油 20盒（来自 一店 · 人民路，少 4盒（压坏4盒））。二店 · 滨江路 现有 80盒`);
  expect(h.fake.inbox('xiaomei').at(-1)!.body.content).toBe(`二店 · 滨江路 已确认收到调拨单 #${transfer.id}：奶油 20盒，少 4盒（压坏4盒）。`);
  expect(await h.app.db.stockTransfer.findUniqueOrThrow({ where: { id: transfer.id } })).toMatchObject({ status: 'received', differenceNote: '压坏4盒' });
  expect(await chat.onHand('S001', 'CREAM')).toBe(36);
  // Nothing is waiting any more: a bare quantity now is explained, not booked.
  expect((await chat.say('chenjing', '5')).body.content).toContain('这个数量记到哪儿');
});

it('cancels a transfer in transit on the sender’s 撤销, and the receiver can no longer confirm it', async () => {
  await chat.say('xiaomei', '调拨 奶油 1箱 到 滨江');
  const transfer = await h.app.db.stockTransfer.findFirstOrThrow({ orderBy: { id: 'desc' } });
  const card = h.fake.inbox('chenjing').at(-1)!;
  expect(await chat.onHand('S001', 'CREAM')).toBe(24);
  expect((await chat.say('xiaomei', '撤销')).body.content).toBe(`已撤销调拨单 #${transfer.id}：奶油 12盒 回到 一店 · 人民路，现有 36盒`);
  expect(h.fake.inbox('sunli').at(-1)!.body.content).toContain(`撤销了调拨单 #${transfer.id}`);
  expect((await chat.tap('chenjing', card, '全部收到')).body.content).toContain('已被调出门店撤销，货没有发出，不能收货');
  expect(h.fake.cardView(String(card.body.task_id), 'chenjing')).toMatchObject({ replacedName: '调出门店已撤销' });
  expect(await chat.onHand('S002', 'CREAM')).toBe(80);
  expect(await h.app.db.stockTransfer.findUniqueOrThrow({ where: { id: transfer.id } })).toMatchObject({ status: 'cancelled', inMoveId: null });
});

it('explains a missing, unknown or own store, and refuses to send more than is there', async () => {
  expect((await chat.say('xiaomei', '调拨 奶油 1箱')).body.content).toBe('调到哪个门店？例如：调拨 奶油 5箱 到 二店');
  expect((await chat.say('xiaomei', '调拨 奶油 1箱 到 火星店')).body.content).toContain('没找到门店「火星店」');
  expect((await chat.say('xiaomei', '调拨 奶油 1箱 到 一店')).body.content).toBe('不能调拨给自己的门店。');
  expect((await chat.say('xiaomei', '调拨 奶油 4箱 到 二店')).body.content).toContain('库存不够：现有 36盒');
  // A store nobody is registered at: the goods still leave, and the sender is told to call.
  expect((await chat.say('xiaomei', '调拨 奶油 1盒 到 三店 · 新街口')).body.sub_title_text).toContain('三店 · 新街口 还没有登记员工');
});

it('sends a transfer WeCom delivered three times once', async () => {
  const before = await h.app.db.stockTransfer.count();
  const xml = textMessage(h.keys, 'xiaomei', '调拨 奶油 1盒 到 二店', { msgId: '7400000000000000777' });
  for (let i = 0; i < 3; i++) await h.deliver(xml);
  await h.settle();
  expect(await h.app.db.stockTransfer.count()).toBe(before + 1);
  expect(await chat.onHand('S001', 'CREAM')).toBe(34);
});
