import { importMasterData } from '../../../src/features/masterdata/import';
import { helpFeature } from '../../../src/features/help';
import { stockFeature } from '../../../src/features/stock';
import { tasksFeature } from '../../../src/features/tasks';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { textMessage } from '../../helpers/wecom-callback';

/**
 * A held waste waiting for its sender is answered by their next plain message — a reason
 * (`过期了`), `确认 <reason>`, `确认` or `取消` — without stealing commands or small talk.
 */
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z')); // 10:00 in Shanghai
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature, tasksFeature, helpFeature], clock });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nliqiang,李强,S1,店员\nboss,王店长,S1,店长\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\n', 'csv');
  await importMasterData(db, 'sku-settings', 'store,sku,safety_stock,max_daily_loss\nS1,MILK,0,5\n', 'csv');
  await say('liqiang', '入库 牛奶 10箱');
});
afterAll(() => h.stop());
// Each case on a day of its own, so the day's waste starts afresh (limit 5, the manager above 10).
beforeEach(() => clock.advance(24 * 3600_000));

const now = () => Math.floor(clock.now().getTime() / 1000);
const say = async (user: string, text: string) => {
  await h.deliver(textMessage(h.keys, user, text, { createTime: now() }), { timestamp: String(now()) });
  await h.settle();
  return h.fake.inbox(user).at(-1)!;
};
const newestHold = () => h.app.db.stockLossHold.findFirstOrThrow({ orderBy: { id: 'desc' } });
const taskOf = async (holdId: bigint) => h.app.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'stock.lossHold', sourceRef: `loss-hold:${holdId}` } } });
const onHand = async () => (await h.app.db.stockBalance.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: 'S1', skuCode: 'MILK' } } })).onHand.toNumber();

it('books a hold when its sender answers with a reason, and closes its task', async () => {
  const card = await say('xiaomei', '报损 牛奶 8盒');
  expect(card.body).toMatchObject({ main_title: { title: '报损待确认：牛奶 8盒' } });
  const hold = await newestHold();
  // Small talk is not a reason; someone else's reason is not an answer to this hold.
  expect((await say('xiaomei', '好的')).body.content).toBe('没看懂「好的」。发送「帮助」查看我能做什么。');
  expect((await say('liqiang', '过期了')).body.content).toBe('没看懂「过期了」。发送「帮助」查看我能做什么。');
  expect((await newestHold()).status).toBe('pending');

  expect((await say('xiaomei', '过期了')).body.content).toBe('已报损 牛奶 8盒（过期），一店 现有 112盒');
  expect(await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: hold.id } })).toMatchObject({ status: 'booked', reason: '过期', closedBy: 'xiaomei' });
  expect(await taskOf(hold.id)).toMatchObject({ state: 'done', closedBy: 'xiaomei' });
  // The card the answer was typed for no longer offers 确认报损 / 取消.
  expect(h.fake.cardView(String(card.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已确认' });
  // Nothing waits any more: the same word is not taken for anything.
  expect((await say('xiaomei', '过期了')).body.content).toBe('没看懂「过期了」。发送「帮助」查看我能做什么。');
  expect(await onHand()).toBe(112);
});

it('leaves commands to their commands while a hold waits, and cancels on 取消', async () => {
  await say('xiaomei', '报损 牛奶 6盒');
  const hold = await newestHold();
  expect((await say('xiaomei', '入库 牛奶 1箱')).body).toMatchObject({ main_title: { title: '已入库 牛奶 1箱（12盒）' } });
  const secondCard = await say('xiaomei', '报损 牛奶 1盒 破损');
  expect(secondCard.body).toMatchObject({ main_title: { title: '报损待确认：牛奶 1盒' } });
  const second = await newestHold();
  // The newest hold is the one answered.
  expect((await say('xiaomei', '取消')).body.content).toBe('已取消，没有记账：牛奶 1盒（破损）');
  expect((await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: second.id } })).status).toBe('cancelled');
  expect(await taskOf(second.id)).toMatchObject({ state: 'cancelled' });
  expect(h.fake.cardView(String(secondCard.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已取消' });
  expect((await say('xiaomei', '确认 打翻了')).body.content).toBe('已报损 牛奶 6盒（打翻了），一店 现有 118盒');
  expect(await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: hold.id } })).toMatchObject({ status: 'booked', reason: '打翻了' });
});

it('takes a bare 确认 with the reason typed with the entry, and waits for the manager where one must approve', async () => {
  expect((await say('xiaomei', '报损 牛奶 1箱 打翻了')).body).toMatchObject({ main_title: { title: '报损待确认：牛奶 12盒' } });
  const hold = await newestHold();
  expect(hold.needsManager).toBe(true);
  expect((await say('xiaomei', '确认')).body.content).toBe('已确认报损原因「打翻了」，店长批准后记账。');
  // The sender has answered: the task stops reminding them; the manager's card decides.
  expect(await taskOf(hold.id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'xiaomei' });
  expect((await say('xiaomei', '确认')).body.content).toBe('没看懂「确认」。发送「帮助」查看我能做什么。');
  expect(await onHand()).toBe(118);
});

it('asks for a reason when 确认 comes without one', async () => {
  await say('liqiang', '报损 牛奶 6盒');
  expect((await say('liqiang', '确认')).body.content).toBe('请先选择报损原因再确认：在卡片上选，或直接回复原因，例如「过期」。');
  expect((await say('liqiang', '确认 变质')).body.content).toBe('已报损 牛奶 6盒（变质），一店 现有 112盒');
});
