import { closeTask, openTask } from '../../../src/features/tasks';
import { walkDue } from '../../../src/features/tasks/walker';
import { MINUTE, startTaskWorld, type TaskWorld } from './task-world';

/**
 * The engine without background workers: the test decides when the outbox is drained, so a card
 * can be caught before it is sent, while it is being sent, and after.
 */
let w: TaskWorld;
beforeAll(async () => {
  w = await startTaskWorld({ workers: false });
});
afterAll(() => w.h.stop());

const db = () => w.h.app.db;
const settings = () => ({ db: db(), log: w.h.app.log, timezone: w.h.app.config.timezone, tasks: w.h.app.config.tasks });
const input = (sourceRef: string, assignee = 'xiaomei') => ({ kind: 'test.chore', sourceRef, storeCode: 'S1', assignee, title: '补货：珍珠', dueAt: w.clock.now() });
const drain = async () => {
  while ((await w.h.app.sender.drainOnce()) > 0);
};

it('opens a task once for a (kind, sourceRef), however often and however concurrently it is opened', async () => {
  const [a, b] = await Promise.all([1, 2].map(() => db().$transaction((tx) => openTask(tx, input('same-1'), { now: w.clock.now() }))));
  const c = await db().$transaction((tx) => openTask(tx, { ...input('same-1'), title: '另一个标题' }, { now: w.clock.now() }));
  expect(a.id).toBe(b.id);
  expect(c).toMatchObject({ id: a.id, title: '补货：珍珠' });
  expect(await db().task.count({ where: { sourceRef: 'same-1' } })).toBe(1);
  expect(await db().taskEvent.count({ where: { taskId: a.id } })).toBe(1);
});

it('refuses a malformed task (a bug of the opening feature)', async () => {
  await expect(db().$transaction((tx) => openTask(tx, { ...input('bad-1'), kind: 'nodot', title: '两行\n标题' }))).rejects.toThrow(/kind "nodot".*title must be one non-empty line/);
});

it('walkers racing on the same due tasks send each step once', async () => {
  const task = await db().$transaction((tx) => openTask(tx, input('race-1', 'liqiang'), { now: w.clock.now() }));
  const results = await Promise.all([walkDue(settings(), w.clock.now()), walkDue(settings(), w.clock.now()), walkDue(settings(), w.clock.now())]);
  expect(results.reduce((n, r) => n + r.notified, 0)).toBe(2); // this task's card, and the one of same-1 (due too)
  expect(await db().outboxMessage.count({ where: { recipient: 'liqiang', idempotencyKey: { startsWith: `task:${task.id}:` } } })).toBe(1);
  // A restarted walker finds the step recorded and sends nothing.
  await db().task.update({ where: { id: task.id }, data: { nextStep: 0, nextNoticeAt: w.clock.now() } });
  expect((await walkDue(settings(), w.clock.now())).notified).toBe(0);
});

it('withdraws a card still waiting in the outbox when its task closes', async () => {
  const task = await db().$transaction((tx) => openTask(tx, input('withdraw-1'), { now: w.clock.now() }));
  await walkDue(settings(), w.clock.now());
  await db().$transaction((tx) => closeTask(tx, task, { state: 'cancelled', by: 'wangfang', note: '不用做了', now: w.clock.now() }));
  const row = await db().outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: `task:${task.id}:step:0:xiaomei` } });
  expect(row.status).toBe('cancelled');
  await drain();
  expect(w.h.fake.inbox('xiaomei').filter((m) => JSON.stringify(m.body).includes(`tasks.done:${task.id}"`))).toHaveLength(0);
  const history = await db().taskEvent.findMany({ where: { taskId: task.id }, orderBy: { id: 'asc' } });
  expect(history.at(-1)).toMatchObject({ action: 'cancelled', by: 'wangfang', note: '不用做了' });
});

it('updates a card that was being sent when its task closed, once WeCom has accepted it', async () => {
  const task = await db().$transaction((tx) => openTask(tx, input('inflight-1', 'liqiang'), { now: w.clock.now() }));
  await walkDue(settings(), w.clock.now());
  const key = `task:${task.id}:step:0:liqiang`;
  await db().outboxMessage.update({ where: { idempotencyKey: key }, data: { status: 'sending', lockedUntil: new Date(w.clock.now().getTime() + MINUTE) } });
  await db().$transaction((tx) => closeTask(tx, task, { state: 'done', by: 'liqiang', now: w.clock.now() }));
  expect(await db().taskCard.findFirst({ where: { taskId: task.id } })).toMatchObject({ finalizedAt: null });
  // The send completes (here: the lease runs out and the row is sent again).
  w.clock.advance(2 * MINUTE);
  await drain();
  const card = w.h.fake
    .inbox('liqiang')
    .filter((m) => m.msgtype === 'template_card')
    .at(-1)!;
  expect(w.h.fake.cardView(String(card.body.task_id), 'liqiang')).not.toHaveProperty('replacedName');
  expect((await walkDue(settings(), w.clock.now())).finalized).toBe(1);
  await drain();
  expect(w.h.fake.cardView(String(card.body.task_id), 'liqiang')).toMatchObject({ replacedName: '已完成' });
});

it('expires a task left open past its ladder, and says so on its cards', async () => {
  const task = await db().$transaction((tx) => openTask(tx, input('expire-1', 'xiaomei'), { now: w.clock.now() }));
  await walkDue(settings(), w.clock.now());
  await drain();
  w.clock.advance(48 * 60 * MINUTE - MINUTE);
  await walkDue(settings(), w.clock.now());
  expect((await db().task.findUniqueOrThrow({ where: { id: task.id } })).state).toBe('open');
  w.clock.advance(2 * MINUTE);
  await walkDue(settings(), w.clock.now());
  await drain();
  expect(await db().task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ state: 'expired', closedBy: null });
  const card = w.h.fake.inbox('xiaomei').find((m) => JSON.stringify(m.body).includes(`tasks.done:${task.id}"`))!;
  expect(w.h.fake.cardView(String(card.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已过期' });
});
