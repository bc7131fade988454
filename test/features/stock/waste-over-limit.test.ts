import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { lossLimit } from '../../../src/features/stock/loss-limit';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { eventMessage, innerXml, textMessage } from '../../helpers/wecom-callback';

/** Waste over the day's limit is held, reviewed on cards, and booked only once confirmed. */
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z')); // 10:00 in Shanghai
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nliqiang,李强,S1,店员\nboss,王店长,S1,店长\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\n', 'csv');
  await importMasterData(db, 'sku-settings', 'store,sku,safety_stock,max_daily_loss\nS1,MILK,0,5\n', 'csv');
  await say('liqiang', '入库 牛奶 5箱');
  await say('liqiang', '入库 奶油 2箱');
});
afterAll(() => h.stop());

const now = () => Math.floor(clock.now().getTime() / 1000);
const say = async (user: string, text: string, msgId?: string) => {
  await h.deliver(textMessage(h.keys, user, text, { msgId, createTime: now() }), { timestamp: String(now()) });
  await h.settle();
  return h.fake.inbox(user).at(-1)!;
};
let tapSeq = 0;
const tap = async (user: string, card: { body: Record<string, unknown> }, buttonText: string, reasonOption?: string) => {
  const taskId = String(card.body.task_id);
  const key = (card.body.button_list as { text: string; key: string }[]).find((b) => b.text === buttonText)!.key;
  const selected = reasonOption
    ? `<SelectedItems><SelectedItem><QuestionKey><![CDATA[reason]]></QuestionKey><OptionIds><OptionId><![CDATA[${reasonOption}]]></OptionId></OptionIds></SelectedItem></SelectedItems>`
    : '';
  const extra = innerXml({ TaskId: taskId, CardType: 'button_interaction', ResponseCode: h.fake.issueResponseCode(taskId) }, selected).slice(5, -6);
  await h.deliver(eventMessage(h.keys, user, 'template_card_event', key, extra, now() + ++tapSeq), { timestamp: String(now()) });
  await h.settle();
  return h.fake.inbox(user).at(-1)!;
};
const onHand = async (sku: string) => (await h.app.db.stockBalance.findUnique({ where: { storeCode_skuCode: { storeCode: 'S1', skuCode: sku } } }))?.onHand.toNumber() ?? 0;
const option = (card: { body: Record<string, unknown> }, text: string) =>
  ((card.body.button_selection as { option_list: { id: string; text: string }[] }).option_list.find((o) => o.text === text) ?? { id: '' }).id;

it('takes the tighter of max_daily_loss and the share of the day’s stock as the limit', () => {
  expect(lossLimit({ maxDailyLoss: 5, onHand: 60, bookedToday: 0, heldToday: 0 }, 0.3)).toEqual({ usedToday: 0, limit: 5 });
  expect(lossLimit({ maxDailyLoss: null, onHand: 20, bookedToday: 4, heldToday: 2 }, 0.3)).toEqual({ usedToday: 6, limit: 24 * 0.3 });
  expect(lossLimit({ maxDailyLoss: 0, onHand: 0, bookedToday: 0, heldToday: 0 }, 0.3)).toEqual({ usedToday: 0, limit: null });
});

it('books waste within the limit straight away', async () => {
  expect((await say('xiaomei', '报损 牛奶 3盒 过期')).body).toMatchObject({ main_title: { title: '已报损 牛奶 3盒' } });
  expect(await onHand('MILK')).toBe(57);
});

it('holds waste over the limit and books it once the staff member confirms with a reason', async () => {
  const card = await say('xiaomei', '报损 牛奶 4盒');
  expect(card.body).toMatchObject({
    card_type: 'button_interaction',
    main_title: { title: '报损待确认：牛奶 4盒' },
    horizontal_content_list: [{ value: '7盒' }, { value: '5盒' }, { value: '不需要' }],
  });
  expect(await onHand('MILK')).toBe(57);
  expect(h.fake.inbox('boss')).toHaveLength(0);
  expect((await tap('xiaomei', card, '确认报损')).body.content).toBe('请先选择报损原因再确认：在卡片上选，或直接回复原因，例如「过期」。');
  expect(await onHand('MILK')).toBe(57);

  const booked = await tap('xiaomei', card, '确认报损', option(card, '破损'));
  expect(booked.body.content).toBe('已报损 牛奶 4盒（破损），一店 现有 53盒');
  expect(h.fake.cardView(String(card.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已确认' });
  expect(await onHand('MILK')).toBe(53);
  expect((await tap('xiaomei', card, '确认报损', option(card, '破损'))).body.content).toBe('这笔报损已经记账了。');
  const moves = await h.app.db.stockMove.findMany({ where: { skuCode: 'MILK', kind: 'waste' } });
  expect(moves.map((m) => [m.quantity.toNumber(), m.reason, m.externalId?.replace(/\d+$/, '')])).toEqual([
    [-3, '过期', 'chat:'],
    [-4, '破损', 'loss-hold:'],
  ]);
});

it('far over the limit, books only after the store manager approves as well', async () => {
  const card = await say('xiaomei', '报损 牛奶 1箱 打翻了');
  expect(card.body).toMatchObject({ main_title: { title: '报损待确认：牛奶 12盒' }, horizontal_content_list: [{ value: '19盒' }, { value: '5盒' }, { value: '需要' }] });
  const managerCard = h.fake.inbox('boss').at(-1)!;
  expect(managerCard.body).toMatchObject({ main_title: { title: '报损需批准：牛奶 12盒', desc: '一店 · 张小美' } });

  // The reason typed with the message is offered and preselected.
  expect((card.body.button_selection as { selected_id?: string }).selected_id).toBe(option(card, '打翻了'));
  expect((await tap('xiaomei', card, '确认报损')).body.content).toBe('已确认报损原因「打翻了」，店长批准后记账。');
  expect(await onHand('MILK')).toBe(53);
  expect((await tap('liqiang', managerCard, '批准')).body.content).toBe('只有这家店的店长（或区域经理）可以批准。');
  expect(await onHand('MILK')).toBe(53);

  expect((await tap('boss', managerCard, '批准')).body.content).toBe('已批准。已报损 牛奶 12盒（打翻了），一店 现有 41盒');
  expect(h.fake.inbox('xiaomei').at(-1)!.body.content).toBe('店长已批准，报损已记账。已报损 牛奶 12盒（打翻了），一店 现有 41盒');
  expect(await onHand('MILK')).toBe(41);
  expect((await tap('boss', managerCard, '批准')).body.content).toBe('这笔报损已经记账了。');
  expect(await onHand('MILK')).toBe(41);
});

it('books nothing when the staff member cancels or the manager rejects', async () => {
  const cancelled = await say('xiaomei', '报损 牛奶 1箱 过期');
  expect((await tap('xiaomei', cancelled, '取消')).body.content).toBe('已取消，没有记账：牛奶 12盒（过期）');
  expect(h.fake.inbox('boss').at(-1)!.body.content).toBe('店员取消了待批准的报损：牛奶 12盒（过期）');
  expect((await tap('xiaomei', cancelled, '确认报损')).body.content).toBe('这笔报损已经取消，没有记账。');

  await say('liqiang', '报损 牛奶 1箱 过期');
  const managerCard = h.fake.inbox('boss').at(-1)!;
  expect((await tap('boss', managerCard, '驳回')).body.content).toBe('已驳回，没有记账：牛奶 12盒（过期）');
  expect(h.fake.inbox('liqiang').at(-1)!.body.content).toContain('店长驳回了你的报损');
  expect(await onHand('MILK')).toBe(41);
  expect(await h.app.db.stockLossHold.count({ where: { status: 'cancelled' } })).toBe(2);
});

it('holds a message WeCom delivered three times once', async () => {
  const before = await h.app.db.stockLossHold.count();
  for (let i = 0; i < 3; i++) await say('liqiang', '报损 牛奶 2盒 过期', '7400000000000000777');
  expect(await h.app.db.stockLossHold.count()).toBe(before + 1);
});

it('uses a share of the day’s stock where no max_daily_loss is set, and starts afresh the next day', async () => {
  // 24 on hand, share 0.3: 7.2 a day.
  expect((await say('xiaomei', '报损 奶油 7盒 过期')).body).toMatchObject({ main_title: { title: '已报损 奶油 7盒' } });
  expect((await say('xiaomei', '报损 奶油 1盒 过期')).body).toMatchObject({ main_title: { title: '报损待确认：奶油 1盒' } });
  clock.advance(16 * 3600_000); // 02:00 the next day in Shanghai
  expect((await say('xiaomei', '报损 奶油 4盒 过期')).body).toMatchObject({ main_title: { title: '已报损 奶油 4盒' } });
  expect((await say('xiaomei', '报损 牛奶 5盒 过期')).body).toMatchObject({ main_title: { title: '已报损 牛奶 5盒' } });
});
