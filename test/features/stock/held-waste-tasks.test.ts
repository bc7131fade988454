import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { tasksFeature } from '../../../src/features/tasks';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/**
 * Held waste nobody answers is a task: the sender is reminded STOCK_CONFIRM_REMIND_MINUTES after
 * it was held, the store manager an hour later (ladder `stock.lossHold`), and when the ladder
 * expires it the hold is void — nothing booked, the sender told. All through the callback path.
 * The ladder here is the default one but for a 3-hour expiry (configured), so it falls on the same day.
 */
const LADDERS = {
  default: {
    steps: [
      { afterMinutes: 0, notify: 'assignee' },
      { afterMinutes: 30, notify: 'store_manager' },
    ],
  },
  'stock.lossHold': {
    steps: [
      { afterMinutes: 0, notify: 'assignee' },
      { afterMinutes: 60, notify: 'store_manager' },
    ],
    expireAfterMinutes: 180,
  },
};
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z')); // 10:00 in Shanghai
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature, tasksFeature], clock, env: { TASK_LADDERS: JSON.stringify(LADDERS) } });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nliqiang,李强,S1,店员\nboss,王店长,S1,店长\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\n', 'csv');
  await importMasterData(db, 'sku-settings', 'store,sku,safety_stock,max_daily_loss\nS1,MILK,0,5\nS1,CREAM,0,5\n', 'csv');
  await say('liqiang', '入库 牛奶 5箱');
  await say('liqiang', '入库 奶油 5箱');
});
afterAll(() => h.stop());

let chat: ReturnType<typeof stockChat> | undefined;
const talk = () => (chat ??= stockChat(h, clock));
const say = (user: string, text: string) => talk().say(user, text);
const tap = (user: string, card: { body: Record<string, unknown> }, buttonText: string) => talk().tap(user, card, buttonText);
const runJob = async (name: string) => {
  await h.app.scheduler.runJob(
    h.app.bot.jobs.find((j) => j.name === name)!,
    clock.now(),
  );
  await h.settle();
};
const minutes = (n: number) => clock.advance(n * 60_000);
const taskOf = async (holdId: bigint) => h.app.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'stock.lossHold', sourceRef: `loss-hold:${holdId}` } } });
const newestHold = () => h.app.db.stockLossHold.findFirstOrThrow({ orderBy: { id: 'desc' } });
const onHand = async (sku: string) => (await h.app.db.stockBalance.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: 'S1', skuCode: sku } } })).onHand.toNumber();
const cards = (user: string) => h.fake.inbox(user).filter((m) => m.msgtype === 'template_card');

it("reminds the sender after 30 minutes and the store manager an hour after that; the manager's 取消 rejects it", async () => {
  const review = await say('xiaomei', '报损 牛奶 8盒');
  expect(review.body).toMatchObject({ main_title: { title: '报损待确认：牛奶 8盒' } });
  const hold = await newestHold();
  expect(await taskOf(hold.id)).toMatchObject({ state: 'open', assignee: 'xiaomei', storeCode: 'S1', ladder: 'stock.lossHold', dueAt: new Date(clock.now().getTime() + 30 * 60_000) });

  const before = cards('xiaomei').length;
  minutes(29);
  await runJob('tasks.walkDue');
  expect(cards('xiaomei')).toHaveLength(before);
  minutes(1);
  await runJob('tasks.walkDue');
  const reminder = cards('xiaomei').at(-1)!;
  expect(cards('xiaomei')).toHaveLength(before + 1);
  expect(reminder.body).toMatchObject({ main_title: { title: '报损待确认：牛奶 8盒' }, sub_title_text: expect.stringContaining('回复原因（如「过期」）即确认') });
  expect((reminder.body.button_list as { text: string }[]).map((b) => b.text)).toEqual(['确认报损', '取消']);
  expect(cards('boss')).toHaveLength(0);

  minutes(59);
  await runJob('tasks.walkDue');
  expect(cards('boss')).toHaveLength(0);
  minutes(1);
  await runJob('tasks.walkDue');
  const escalation = cards('boss').at(-1)!;
  expect(escalation.body).toMatchObject({ main_title: { title: '报损待确认：牛奶 8盒' }, sub_title_text: expect.stringContaining('已超时 1 小时，负责人：张小美') });

  // Someone else on staff may not settle it.
  expect((await tap('liqiang', reminder, '取消')).body.content).toBe('只能取消你自己报的损耗。');
  expect((await tap('boss', escalation, '取消')).body.content).toBe('已驳回，没有记账：牛奶 8盒');
  expect(h.fake.inbox('xiaomei').at(-1)!.body.content).toContain('店长驳回了你的报损，没有记账：牛奶 8盒');
  expect(await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: hold.id } })).toMatchObject({ status: 'cancelled', closedBy: 'boss' });
  expect(await taskOf(hold.id)).toMatchObject({ state: 'cancelled', closedBy: 'boss' });
  // Every card of the task now says so.
  expect(h.fake.cardView(String(reminder.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已取消' });
  expect(await onHand('MILK')).toBe(60);
});

it('is done when the sender confirms on the reminder, and nobody is reminded again', async () => {
  await say('xiaomei', '报损 牛奶 8盒 过期');
  const hold = await newestHold();
  minutes(30);
  await runJob('tasks.walkDue');
  const reminder = cards('xiaomei').at(-1)!;
  expect((await tap('xiaomei', reminder, '确认报损')).body.content).toBe('已报损 牛奶 8盒（过期），一店 现有 52盒');
  expect(await taskOf(hold.id)).toMatchObject({ state: 'done', closedBy: 'xiaomei' });
  const bossCards = cards('boss').length;
  minutes(120);
  await runJob('tasks.walkDue');
  expect(cards('boss')).toHaveLength(bossCards);
});

it('makes a hold nobody answers void when its ladder expires it: nothing booked, the sender told, its limit freed', async () => {
  const review = await say('xiaomei', '报损 奶油 6盒 变质');
  const hold = await newestHold();
  minutes(30 + 180 - 1);
  await runJob('tasks.walkDue');
  await runJob('stock.expireConfirmations');
  expect((await taskOf(hold.id)).state).toBe('open');
  minutes(2);
  await runJob('tasks.walkDue');
  expect((await taskOf(hold.id)).state).toBe('expired');
  await runJob('stock.expireConfirmations');
  await runJob('stock.expireConfirmations');
  expect(await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: hold.id } })).toMatchObject({ status: 'expired', moveId: null });
  const told = h.fake.inbox('xiaomei').filter((m) => m.msgtype === 'text' && String(m.body.content).includes('已作废'));
  expect(told.map((m) => m.body.content)).toEqual(['你报的损耗太久没有确认，已作废，没有记账：奶油 6盒（变质）。如确有损耗请重新报损。']);
  expect((await tap('xiaomei', review, '确认报损')).body.content).toBe('这笔报损太久没有确认，已作废，没有记账；如确有损耗请重新报损。');
  expect(await onHand('CREAM')).toBe(60);
  // A void hold no longer counts against the day's limit of 5 (still the same day: 16:10).
  expect((await say('xiaomei', '报损 奶油 4盒 变质')).body).toMatchObject({ main_title: { title: '已报损 奶油 4盒' } });
});

it('treats a tap that comes after the task expired, before the sweep, as void too', async () => {
  clock.advance(12 * 3600_000); // the next day
  const review = await say('xiaomei', '报损 奶油 6盒 变质');
  const hold = await newestHold();
  minutes(30 + 180 + 1);
  await runJob('tasks.walkDue');
  expect((await tap('xiaomei', review, '确认报损')).body.content).toBe('这笔报损太久没有确认，已作废，没有记账；如确有损耗请重新报损。');
  expect((await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: hold.id } })).status).toBe('expired');
  expect(await onHand('CREAM')).toBe(56);
});
