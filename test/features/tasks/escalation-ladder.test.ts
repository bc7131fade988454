import { openTask } from '../../../src/features/tasks';
import { MINUTE, startTaskWorld, type TaskWorld } from './task-world';

/** The default ladder: assignee at due time → store manager after 30 min → area manager after 2 h. */
let w: TaskWorld;
beforeAll(async () => {
  w = await startTaskWorld();
});
afterAll(() => w.h.stop());

const open = (sourceRef: string, dueInMinutes: number, assignee: string | null = 'xiaomei', storeCode = 'S1') =>
  w.h.app.db.$transaction((tx) =>
    openTask(
      tx,
      { kind: 'test.chore', sourceRef, storeCode, assignee, title: '清洁制冰机', detail: '按清洁手册第 3 步', dueAt: new Date(w.clock.now().getTime() + dueInMinutes * MINUTE) },
      { now: w.clock.now() },
    ),
  );
const cardsOf = (userid: string, taskTitle = '清洁制冰机') => w.taskCards(userid).filter((c) => (c.body.main_title as { title: string }).title === taskTitle);

it('reminds the assignee at the due time, then escalates on the ladder, each step once', async () => {
  const task = await open('ladder-1', 10);
  await w.walk();
  expect(cardsOf('xiaomei')).toHaveLength(0); // not due yet

  w.clock.advance(10 * MINUTE);
  await w.walk();
  const [reminder] = cardsOf('xiaomei');
  expect(reminder.body).toMatchObject({
    card_type: 'button_interaction',
    main_title: { title: '清洁制冰机', desc: '一店 · 人民路 · 截止 11月25日 10:10' },
    sub_title_text: '负责人：张小美\n按清洁手册第 3 步',
    button_list: [
      { text: '完成', key: `tasks.done:${task.id}` },
      { text: '知道了', key: `tasks.ack:${task.id}` },
    ],
  });
  await w.walk(); // a second run in the same minute sends nothing again
  expect(cardsOf('xiaomei')).toHaveLength(1);
  expect(cardsOf('wangfang')).toHaveLength(0);

  w.clock.advance(29 * MINUTE);
  await w.walk();
  expect(cardsOf('wangfang')).toHaveLength(0); // 29 minutes late: not yet

  w.clock.advance(1 * MINUTE);
  await w.walk();
  expect(cardsOf('wangfang')).toHaveLength(1);
  expect(cardsOf('wangfang')[0].body).toMatchObject({ source: { desc: '门店助手 · 超时提醒' }, sub_title_text: '已超时 30 分钟，负责人：张小美\n按清洁手册第 3 步' });
  expect(cardsOf('zhaoqu')).toHaveLength(0);
  expect(cardsOf('chengang')).toHaveLength(0); // another store's manager

  w.clock.advance(89 * MINUTE);
  await w.walk();
  expect(cardsOf('zhaoqu')).toHaveLength(0);
  w.clock.advance(1 * MINUTE);
  await w.walk();
  expect(cardsOf('zhaoqu')).toHaveLength(1);
  expect(cardsOf('zhaoqu')[0].body.sub_title_text).toContain('已超时 2 小时');

  // The end of the ladder: hours later, nobody gets anything more.
  w.clock.advance(5 * 60 * MINUTE);
  await w.walk();
  expect([cardsOf('xiaomei'), cardsOf('wangfang'), cardsOf('zhaoqu')].map((c) => c.length)).toEqual([1, 1, 1]);
  const notices = await w.h.app.db.taskNotice.findMany({ where: { taskId: task.id }, orderBy: { step: 'asc' } });
  expect(notices.map((n) => [n.step, n.recipients])).toEqual([
    [0, ['xiaomei']],
    [1, ['wangfang']],
    [2, ['zhaoqu']],
  ]);
});

it('closes from the card: done, and every card sent for the task updated in place for everyone', async () => {
  const task = await w.h.app.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'test.chore', sourceRef: 'ladder-1' } } });
  const [reminder] = cardsOf('xiaomei');
  await w.tap('xiaomei', reminder, '完成');
  const after = await w.h.app.db.task.findUniqueOrThrow({ where: { id: task.id } });
  expect(after).toMatchObject({ state: 'done', closedBy: 'xiaomei', closedAt: w.clock.now(), nextNoticeAt: null });
  for (const userid of ['xiaomei', 'wangfang', 'zhaoqu']) {
    expect(w.h.fake.cardView(String(cardsOf(userid)[0].body.task_id), userid)).toMatchObject({ replacedName: '已完成' });
  }
  const history = await w.h.app.db.taskEvent.findMany({ where: { taskId: task.id }, orderBy: { id: 'asc' } });
  expect(history.map((e) => [e.action, e.fromState, e.toState, e.by])).toEqual([
    ['opened', null, 'open', null],
    ['done', 'open', 'done', 'xiaomei'],
  ]);
  expect(history[1].inboundId).not.toBeNull();

  // A second tap (the manager's card) changes nothing and says who did it.
  await w.tap('wangfang', cardsOf('wangfang')[0], '完成');
  expect(w.h.fake.inbox('wangfang').at(-1)!.body.content).toBe('这个任务已由 张小美 处理：已完成。');
  expect(await w.h.app.db.taskEvent.count({ where: { taskId: task.id } })).toBe(2);
});

it('holds steps back during quiet hours, keeping the gap between them', async () => {
  // Due 21:50 in Shanghai: the reminder goes out; the store manager's step falls at 22:20, in quiet hours.
  const start = Date.parse('2026-11-25T13:50:00Z');
  w.clock.advance(start - w.clock.now().getTime());
  await open('quiet-1', 0, 'liqiang');
  await w.walk();
  expect(cardsOf('liqiang')).toHaveLength(1);
  w.clock.advance(30 * MINUTE); // 22:20
  await w.walk();
  expect(cardsOf('wangfang')).toHaveLength(1); // only the first task's card
  w.clock.advance(9 * 60 * MINUTE + 39 * MINUTE); // 07:59 next day
  await w.walk();
  expect(cardsOf('wangfang')).toHaveLength(1);
  w.clock.advance(1 * MINUTE); // 08:00: quiet hours are over
  await w.walk();
  expect(cardsOf('wangfang')).toHaveLength(2);
  expect(cardsOf('wangfang')[1].body.sub_title_text).toContain('负责人：李强');
  // The area manager's step keeps its 90 minutes after the store manager's: 09:30, not 08:00 as well.
  w.clock.advance(89 * MINUTE);
  await w.walk();
  expect(cardsOf('zhaoqu')).toHaveLength(1);
  w.clock.advance(1 * MINUTE);
  await w.walk();
  expect(cardsOf('zhaoqu')).toHaveLength(2);
});

it('acknowledging stops the ladder; the card keeps a 完成 button that closes it later', async () => {
  const task = await open('ack-1', 0, 'liqiang');
  await w.walk();
  const card = cardsOf('liqiang').at(-1)!;
  expect(card.body.button_list).toHaveLength(2);
  await w.tap('liqiang', card, '知道了');
  const view = w.h.fake.cardView(String(card.body.task_id), 'liqiang')!;
  expect(view.card).toMatchObject({ sub_title_text: expect.stringContaining('李强 已确认，处理中'), button_list: [{ text: '完成', key: `tasks.done:${task.id}` }] });
  expect(await w.h.app.db.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'liqiang' });

  const managerCards = cardsOf('wangfang').length;
  w.clock.advance(3 * 60 * MINUTE);
  await w.walk();
  expect(cardsOf('wangfang')).toHaveLength(managerCards); // no escalation for an acknowledged task

  await w.tap('liqiang', { body: { ...view.card, task_id: card.body.task_id } }, '完成');
  expect(await w.h.app.db.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ state: 'done' });
  expect(w.h.fake.cardView(String(card.body.task_id), 'liqiang')).toMatchObject({ replacedName: '已完成' });
});

it('refuses a tap from someone the task was not sent to', async () => {
  const task = await open('other-1', 0, 'liqiang');
  await w.walk();
  const card = cardsOf('liqiang').at(-1)!;
  await w.tap('chengang', card, '完成');
  expect(w.h.fake.inbox('chengang').at(-1)!.body.content).toBe('这个任务没有发给你，不能在这里处理。');
  expect((await w.h.app.db.task.findUniqueOrThrow({ where: { id: task.id } })).state).toBe('open');
});

it('sends the first step to the store manager when nobody is assigned', async () => {
  const before = cardsOf('wangfang', '盘点冷库').length;
  await w.h.app.db.$transaction((tx) => openTask(tx, { kind: 'test.chore', sourceRef: 'nobody-1', storeCode: 'S1', assignee: null, title: '盘点冷库', dueAt: w.clock.now() }, { now: w.clock.now() }));
  await w.walk();
  expect(cardsOf('wangfang', '盘点冷库')).toHaveLength(before + 1);
  expect(cardsOf('wangfang', '盘点冷库').at(-1)!.body.sub_title_text).toBeUndefined();
});

it('passes the store manager’s step to the area manager when the store has no manager', async () => {
  const task = await open('ladder-no-manager', 0, 'sanmei', 'S3');
  await w.walk();
  expect(cardsOf('sanmei')).toHaveLength(1);
  w.clock.advance(30 * MINUTE);
  await w.walk();
  const notices = await w.h.app.db.taskNotice.findMany({ where: { taskId: task.id }, orderBy: { step: 'asc' } });
  expect(notices.map((n) => [n.step, n.recipients])).toEqual([
    [0, ['sanmei']],
    [1, ['zhaoqu']],
  ]);
});
