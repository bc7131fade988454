import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/**
 * Quantities typed in chat (issue 14, item 1), through the encrypted callback path: read whole
 * or asked back in Chinese with nothing booked; halves, decimals and mixed units add up to whole
 * base units; an implausibly large quantity is asked back on a card before anything is booked.
 */
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z'));
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  // 芒果 may move at most 100个 per entry (per SKU); 面粉's category 烘焙 at most 30袋.
  h = await startHarness({ features: [stockFeature], clock, env: { STOCK_LARGE_MOVE_BY_SKU: '{"MANGO":100}', STOCK_LARGE_MOVE_BY_CATEGORY: '{"烘焙":30}' } });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店 · 人民路\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nliqiang,李强,S1,店员\nzhou,周店长,S1,店长\n', 'csv');
  await importMasterData(
    db,
    'skus',
    'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\nMANGO,芒果,,水果,个,箱=20,4.5\nFLOUR,面粉,,烘焙,袋,箱=10,38\nSUGARKG,白砂糖,,辅料,kg,袋=5,8\n',
    'csv',
  );
}, 60_000);
afterAll(() => h.stop());
// WeCom lets one member receive 30 messages a minute.
beforeEach(() => clock.advance(61_000));

const moves = (sku: string) => h.app.db.stockMove.findMany({ where: { skuCode: sku }, orderBy: { id: 'asc' } });
const quantities = async (sku: string) => (await moves(sku)).map((m) => m.quantity.toNumber());

it('asks back 入库 奶油 99999999箱 instead of booking 1,199,999,988盒', async () => {
  const answer = await chat.say('xiaomei', '入库 奶油 99999999箱');
  expect(answer.body.content).toBe('99999999箱（1199999988盒）太多了，是不是多打了几位？没有记账，请核对后再发。');
  expect(await moves('CREAM')).toEqual([]);
});

it('asks back a quantity far above the SKU’s usual move on a card, and books it only on 确认记账', async () => {
  // No history yet: 50 of the largest unit (50箱 = 600盒) is the limit.
  const card = await chat.say('xiaomei', '入库 奶油 60箱');
  expect(card.body).toMatchObject({
    main_title: { title: '数量比平时大很多，确认要入库吗？', desc: '奶油 60箱（720盒），平时一笔最多约 600盒' },
    button_list: [{ text: '确认记账' }, { text: '不记' }],
  });
  expect(await moves('CREAM')).toEqual([]);
  expect((await chat.tap('xiaomei', card, '确认记账')).body).toMatchObject({ main_title: { title: '已入库 奶油 60箱（720盒）' } });
  expect(await quantities('CREAM')).toEqual([720]);
  // A second tap books nothing more.
  await chat.tap('xiaomei', card, '确认记账');
  expect(await quantities('CREAM')).toEqual([720]);

  const dropped = await chat.say('liqiang', '报损 牛奶 60箱');
  expect((await chat.tap('liqiang', dropped, '不记')).body.content).toBe('好的，没有记账。请改好数量再发一次，例如：入库 奶油 20箱');
  expect(await moves('MILK')).toEqual([]);
});

it('takes the limit per SKU and per category from the configuration', async () => {
  expect((await chat.say('xiaomei', '入库 芒果 6箱')).body).toMatchObject({ main_title: { desc: '芒果 6箱（120个），平时一笔最多约 100个' } });
  expect((await chat.say('xiaomei', '入库 面粉 4箱')).body).toMatchObject({ main_title: { desc: '面粉 4箱（40袋），平时一笔最多约 30袋' } });
  expect((await chat.say('xiaomei', '入库 芒果 5箱')).body).toMatchObject({ main_title: { title: '已入库 芒果 5箱（100个）' } });
  expect(await quantities('MANGO')).toEqual([100]);
  expect(await moves('FLOUR')).toEqual([]);
});

it('refuses 1.5.5箱 with a question instead of booking 1.5 and keeping ".5箱" as the note', async () => {
  expect((await chat.say('xiaomei', '入库 牛奶 1.5.5箱')).body.content).toBe('「1.5.5箱」是多少？数量请写成 2箱、2.5箱、两箱半 或 5箱3盒。');
  expect(await moves('MILK')).toEqual([]);
});

it('asks what a decimal comma means (1,5箱) instead of reading 1 and 5箱 as two lines', async () => {
  expect((await chat.say('xiaomei', '入库 牛奶 1,5箱')).body.content).toBe('「1,5箱」是多少？数量请写成 2箱、2.5箱、两箱半 或 5箱3盒。');
  expect(await moves('MILK')).toEqual([]);
});

it('reads 两箱半 as 2.5箱 = 30盒, not 2箱 with 半 as the note', async () => {
  expect((await chat.say('xiaomei', '入库 牛奶 两箱半')).body).toMatchObject({ main_title: { title: '已入库 牛奶 2.5箱（30盒）' } });
  const [move] = await moves('MILK');
  expect([move.quantity.toNumber(), move.reason]).toEqual([30, null]);
});

it('adds 5箱 3盒 up to 63盒 in a count', async () => {
  await chat.say('zhou', '开始盘点');
  expect((await chat.say('xiaomei', '盘点 牛奶 5箱 3盒')).body.content).toMatch(/^已记盘点 #\d+：牛奶 63盒。/);
  expect((await h.app.db.stockCountEntry.findFirstOrThrow({ where: { skuCode: 'MILK' } })).counted.toNumber()).toBe(63);
});

it('books a fraction of a pack that is whole base units, refuses a fraction of a counted base unit, takes one of a weighed unit', async () => {
  expect((await chat.say('xiaomei', '入库 奶油 2.5箱')).body).toMatchObject({ main_title: { title: '已入库 奶油 2.5箱（30盒）' } });
  expect((await chat.say('xiaomei', '报损 奶油 1.5盒')).body.content).toBe('奶油按整盒记，1.5盒不是整数：是 1盒 还是 2盒？');
  expect((await chat.say('xiaomei', '入库 牛奶 0.3箱')).body.content).toBe('牛奶按整盒记，0.3箱（3.6盒）不是整数：是 3盒 还是 4盒？');
  expect((await chat.say('xiaomei', '入库 白砂糖 2.5kg')).body).toMatchObject({ main_title: { title: '已入库 白砂糖 2.5kg' } });
  expect(await quantities('SUGARKG')).toEqual([2.5]);
});
