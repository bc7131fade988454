import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { eventMessage, innerXml, textMessage } from '../../helpers/wecom-callback';

/** Stock moves typed in chat, through the encrypted callback path, into the ledger. */
const clock = new TestClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店 · 人民路\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nliqiang,李强,S1,店员\nfloating,无店,,管理员\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,鲜奶,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\n', 'csv');
});
afterAll(() => h.stop());

const say = async (user: string, text: string) => {
  await h.deliver(textMessage(h.keys, user, text));
  await h.settle();
  return h.fake.inbox(user).at(-1)!;
};
const onHand = async (sku: string) => (await h.app.db.stockBalance.findUnique({ where: { storeCode_skuCode: { storeCode: 'S1', skuCode: sku } } }))?.onHand.toNumber() ?? 0;

it('books a receipt and confirms it with the new on-hand and an undo button', async () => {
  const card = await say('xiaomei', '收到牛奶两箱');
  expect(card.msgtype).toBe('template_card');
  expect(card.body).toMatchObject({ main_title: { title: '已入库 牛奶 2箱（24盒）' }, sub_title_text: '一店 · 人民路 现有 24盒', button_list: [{ text: '撤销这一笔' }] });
  expect(await onHand('MILK')).toBe(24);
  const move = await h.app.db.stockMove.findFirstOrThrow({ where: { skuCode: 'MILK' } });
  expect(move).toMatchObject({ kind: 'receipt', storeCode: 'S1', staffUserid: 'xiaomei', source: 'chat', externalId: expect.stringMatching(/^chat:/) });
  expect(move.quantity.toNumber()).toBe(24);
});

it('books waste with its reason, answers 查库存, and refuses to go below zero', async () => {
  expect((await say('xiaomei', '报损 鲜奶 3盒 过期')).body).toMatchObject({ main_title: { title: '已报损 牛奶 3盒', desc: '过期' } });
  expect((await say('liqiang', '查库存 牛奶')).body.content).toBe('一店 · 人民路 牛奶 现有 21盒（约 1.7箱）');
  expect((await say('liqiang', '报损 牛奶 5箱')).body.content).toContain('库存不够：现有 21盒，不能减少 60盒');
  expect(await onHand('MILK')).toBe(21);
});

it('asks back with a card of choices instead of guessing, and books the one picked, once', async () => {
  const card = await say('liqiang', '入库 奶 2箱');
  expect(card.body).toMatchObject({ card_type: 'button_interaction', main_title: { title: '你说的是哪一个？' } });
  const buttons = card.body.button_list as { text: string; key: string }[];
  expect(buttons.map((b) => b.text).sort()).toEqual(['奶油', '牛奶']);
  expect(await onHand('CREAM')).toBe(0);
  const cream = buttons.find((b) => b.text === '奶油')!;
  const tap = (user: string, t: number) =>
    h.deliver(
      eventMessage(
        h.keys,
        user,
        'template_card_event',
        cream.key,
        innerXml({ TaskId: String(card.body.task_id), CardType: 'button_interaction', ResponseCode: h.fake.issueResponseCode(String(card.body.task_id)) }).slice(5, -6),
        t,
      ),
    );
  await tap('xiaomei', 21); // not her message
  await h.settle();
  expect(h.fake.inbox('xiaomei').at(-1)!.body.content).toBe('只能为你自己发的消息选择商品。');
  await tap('liqiang', 22);
  await h.settle();
  expect(h.fake.inbox('liqiang').at(-1)!.body).toMatchObject({ main_title: { title: '已入库 奶油 2箱（24盒）' } });
  expect(h.fake.cardView(String(card.body.task_id), 'liqiang')).toMatchObject({ replacedName: '已选：奶油' });
  await tap('liqiang', 23); // a second tap books nothing more
  await h.settle();
  expect(h.fake.inbox('liqiang').at(-1)!.body.content).toBe('这一笔已经记过了。');
  expect(await onHand('CREAM')).toBe(24);
  expect((await say('liqiang', '撤销')).body.content).toMatch(/^已撤销：入库 奶油 2箱（24盒），\d\d:\d\d 记的。一店 · 人民路 奶油 现有 0盒$/);
});

it('explains what is missing', async () => {
  expect((await say('liqiang', '入库 榴莲 1箱')).body.content).toContain('没找到商品「榴莲」');
  expect((await say('liqiang', '入库 牛奶 2桶')).body.content).toBe('「牛奶」没有「桶」这个单位，可用：盒、箱。');
  expect((await say('liqiang', '入库 牛奶')).body.content).toContain('请带上数量');
  expect((await say('liqiang', '入库 牛奶 0箱')).body.content).toContain('数量要大于 0');
  expect((await say('floating', '入库 牛奶 1箱')).body.content).toContain('你还没有所属门店');
  expect(await onHand('MILK')).toBe(21);
});

it('books a message WeCom delivered three times once', async () => {
  const before = await h.app.db.stockMove.count();
  const xml = textMessage(h.keys, 'liqiang', '入库 奶油 1箱', { msgId: '7400000000000000001' });
  for (let i = 0; i < 3; i++) await h.deliver(xml);
  await h.settle();
  expect(await onHand('CREAM')).toBe(12);
  expect(await h.app.db.stockMove.count()).toBe(before + 1);
});

it('undoes with a reversing entry, from chat or from the card, once', async () => {
  expect((await say('liqiang', '撤销')).body.content).toMatch(/^已撤销：入库 奶油 1箱（12盒），\d\d:\d\d 记的。一店 · 人民路 奶油 现有 0盒$/);
  expect(await onHand('CREAM')).toBe(0);
  expect((await say('liqiang', '撤销')).body.content).toMatch(/^上一笔已经撤销过了：入库 奶油 1箱（12盒）/);

  const card = await say('xiaomei', '入库 奶油 2箱');
  const key = (card.body.button_list as { key: string }[])[0].key;
  const tap = (user: string, t: number) =>
    h.deliver(
      eventMessage(
        h.keys,
        user,
        'template_card_event',
        key,
        innerXml({ TaskId: String(card.body.task_id), CardType: 'button_interaction', ResponseCode: h.fake.issueResponseCode(String(card.body.task_id)) }).slice(5, -6),
        t,
      ),
    );
  await tap('liqiang', 1); // someone else's move
  await h.settle();
  expect(h.fake.inbox('liqiang').at(-1)!.body.content).toBe('只能撤销你自己记的这一笔。');
  await tap('xiaomei', 2);
  await h.settle();
  expect(h.fake.inbox('xiaomei').at(-1)!.body.content).toMatch(/^已撤销：入库 奶油 2箱（24盒），\d\d:\d\d 记的。一店 · 人民路 奶油 现有 0盒$/);
  expect(h.fake.cardView(String(card.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已撤销' });
  await tap('xiaomei', 3);
  await h.settle();
  expect(h.fake.inbox('xiaomei').at(-1)!.body.content).toMatch(/^这一笔已经撤销过了：入库 奶油 2箱（24盒）/);
  // The ledger keeps every entry: each receipt and its reversal.
  const moves = await h.app.db.stockMove.findMany({ where: { skuCode: 'CREAM' }, orderBy: { id: 'asc' } });
  expect(moves.map((m) => [m.kind, m.quantity.toNumber()])).toEqual([
    ['receipt', 24],
    ['reversal', -24],
    ['receipt', 12],
    ['reversal', -12],
    ['receipt', 24],
    ['reversal', -24],
  ]);
});

it('lets the card undo only within ten minutes', async () => {
  const card = await say('xiaomei', '入库 牛奶 1箱');
  clock.advance(11 * 60_000);
  const key = (card.body.button_list as { key: string }[])[0].key;
  await h.deliver(
    eventMessage(
      h.keys,
      'xiaomei',
      'template_card_event',
      key,
      innerXml({ TaskId: String(card.body.task_id), CardType: 'button_interaction', ResponseCode: h.fake.issueResponseCode(String(card.body.task_id)) }).slice(5, -6),
      9,
    ),
    {
      timestamp: String(Math.floor(clock.now().getTime() / 1000)), // the envelope is as fresh as our (moved) clock
    },
  );
  await h.settle();
  expect(h.fake.inbox('xiaomei').at(-1)!.body.content).toContain('已超过 10 分钟');
  expect(await onHand('MILK')).toBe(33);
});
