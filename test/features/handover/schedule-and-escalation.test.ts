import { importMasterData } from '../../../src/features/masterdata/import';
import { measureHandoverCompleteness } from '../../../src/features/handover/score';
import { closeTask, openTask } from '../../../src/features/tasks';
import { importShortChecklist, startHandoverHarness, type Chat } from './chat';

/**
 * The handover and the rest of the day: overdue stock entries block it, the shift schedule names
 * the incoming colleague, a confirmation not made in time reaches the store manager (TestClock,
 * the task engine's walker), new staff get hints and a step-by-step mode, and the month's
 * completeness is measured for the health score.
 */
// Whole conversations through the callback path: slow on a loaded 2-core machine.
jest.setTimeout(120_000);
let chat: Chat;
const period = { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') };
beforeAll(async () => {
  chat = await startHandoverHarness();
  await importShortChecklist(chat);
  // 14:00 in Shanghai: xiaomei's shift ends at 14:30, liqiang's began at 14:00.
  const shifts = await importMasterData(
    chat.db,
    'shifts',
    'store_code,userid,starts_at,ends_at\nS1,xiaomei,2026-11-25T00:00:00Z,2026-11-25T06:30:00Z\nS1,liqiang,2026-11-25T06:00:00Z,2026-11-25T14:00:00Z\n',
    'csv',
  );
  if (!shifts.ok) throw new Error(JSON.stringify(shifts.problems));
});
afterAll(() => chat.stop());

it('refuses 交班 while the store has overdue stock entries, and names them', async () => {
  const now = chat.clock.now();
  await openTask(
    chat.db,
    { kind: 'stock.lateDelivery', sourceRef: 'delivery:ERP-1', storeCode: 'S1', assignee: 'xiaomei', title: '到货未入库：奶油 20箱', dueAt: new Date(now.getTime() - 3_600_000) },
    { now },
  );
  await openTask(chat.db, { kind: 'stock.lateCount', sourceRef: 'count:9', storeCode: 'S1', assignee: 'xiaomei', title: '盘点未提交', dueAt: new Date(now.getTime() + 3_600_000) }, { now });
  expect((await chat.say('xiaomei', '交班')).body.content).toBe('一店 · 人民路 还有 1 笔库存记录逾期未处理，处理完才能交班：\n· 到货未入库：奶油 20箱');
  expect(await chat.db.handover.count()).toBe(0);
  await closeTask(chat.db, { kind: 'stock.lateDelivery', sourceRef: 'delivery:ERP-1' }, { state: 'done', by: 'xiaomei', now });
});

it('names the incoming colleague from the schedule and escalates a confirmation not made in time', async () => {
  await chat.say('xiaomei', '交班');
  await chat.say('xiaomei', '500');
  const card = await chat.tap('xiaomei', chat.card('xiaomei'), '正常');
  await chat.tap('xiaomei', card, '无');
  // No pick card: the schedule says liqiang came in.
  expect(chat.last('xiaomei').body.content).toMatch(/^交班已提交，已请 李强 在 14:3\d 前确认。$/);
  expect(chat.card('liqiang').body).toMatchObject({ main_title: { title: '张小美 交班给你' } });

  // Before the deadline nobody is chased.
  await chat.walk();
  expect(chat.h.fake.inbox('zhou')).toHaveLength(0);
  chat.clock.advance(31 * 60_000);
  await chat.walk();
  await chat.walk();
  const reminder = chat.card('liqiang');
  expect(reminder.body).toMatchObject({ main_title: { title: '确认交班：张小美→李强' } });
  const managerCard = chat.card('zhou');
  expect(managerCard.body).toMatchObject({ main_title: { title: '确认交班：张小美→李强' }, source: { desc: '门店助手 · 超时提醒' } });
  expect((managerCard.body.button_list as { text: string }[]).map((b) => b.text)).toEqual(['全部确认', '逐项确认', '店长已处理']);

  // The manager cannot confirm for the incoming colleague, but can settle it.
  expect((await chat.tap('zhou', managerCard, '全部确认')).body.content).toBe('这个交班不是交给你的，只有接班的同事能确认。');
  expect((await chat.tap('zhou', managerCard, '店长已处理')).body.content).toMatch(/^交班 #\d+ 的超时未确认已标记为处理完毕。$/);
  const task = await chat.db.task.findFirstOrThrow({ where: { kind: 'handover.confirm' } });
  expect(task).toMatchObject({ state: 'done', closedBy: 'zhou' });

  // Not complete until the incoming colleague acted: the score counts it so.
  let score = (await measureHandoverCompleteness(chat.db, period, ['S1', 'S2'])).get('S1')!;
  expect(score).toMatchObject({ ratio: 0, facts: { scheduledShifts: 2, handoversStarted: 1, completeHandovers: 0 } });
  expect(score.losses[0]).toEqual({ label: '未完成交班 2 次', lost: 1 });

  await chat.tap('liqiang', reminder, '全部确认');
  expect(chat.last('liqiang').body.content).toMatch(/^交班 #\d+ 已确认，交接完成。$/);
  score = (await measureHandoverCompleteness(chat.db, period, ['S1', 'S2'])).get('S1')!;
  expect(score).toMatchObject({ ratio: 0.5, facts: { completeHandovers: 1, completionRate: 0.5, averageMissedItems: 0 } });
  expect((await measureHandoverCompleteness(chat.db, period, ['S2'])).has('S2')).toBe(false);
});

it('gives new staff hints on every card and a step-by-step mode', async () => {
  await importMasterData(chat.db, 'staff', 'userid,name,store,role,hire_date\nxiaowang,王欣,S1,店员,2026-11-18\n', 'csv');
  const offer = await chat.say('xiaowang', '交班');
  expect(offer.body).toMatchObject({ main_title: { title: '交班开始' }, button_list: [{ text: '逐项引导' }, { text: '正常模式' }] });
  let card = await chat.tap('xiaowang', offer, '逐项引导');
  expect(card.body).toMatchObject({
    main_title: { title: '1/3 钱箱现金' },
    horizontal_content_list: [
      { keyname: '在哪里', value: '收银台下方钱箱' },
      { keyname: '标准', value: '500 元备用零钱' },
    ],
  });
  card = await chat.say('xiaowang', '495');
  // One item per card, with its reference photo.
  expect(card.body).toMatchObject({ card_type: 'button_interaction', main_title: { title: '2/3 制冰机' } });
  expect(card.body.horizontal_content_list).toEqual([
    { keyname: '标准', value: '冰块透明、无异响' },
    { keyname: '参考照片', value: '点开查看', type: 1, url: 'https://example.com/ice.jpg' },
  ]);
  // A faulty ice machine opens a work order on the way.
  await chat.tap('xiaowang', card, '异常');
  expect(chat.h.fake.inbox('xiaowang').map((m) => m.body.content)).toContain('⚠️ 制冰机：异常');
  expect(await chat.db.workOrder.findFirstOrThrow()).toMatchObject({ equipment: 'ice_machine', recipients: ['zhou', 'fixer'], openedBy: 'xiaowang' });
});

it('lets the store manager flag a colleague hired long ago for guidance', async () => {
  expect((await chat.say('liqiang', '新人指引 张小美')).body.content).toBe('只有店长、区域经理和管理员能设置新人指引。');
  expect((await chat.say('zhou', '新人指引 吴店长')).body.content).toBe('本店没有在职的「吴店长」。');
  expect((await chat.say('zhou', '新人指引 张小美')).body.content).toBe('已为 张小美 打开新人指引：交班卡片会附上每一项的提示，并可选择逐项引导。');
  expect((await chat.say('xiaomei', '交班')).body).toMatchObject({ main_title: { title: '交班开始' } });
  expect((await chat.say('zhou', '新人指引 张小美 关闭')).body.content).toBe('已关闭 张小美 的新人指引。');
  expect(await chat.db.handoverGuidanceFlag.count()).toBe(0);
});
