import { MINUTE, startTaskWorld, type TaskWorld } from './task-world';
import { textMessage } from '../../helpers/wecom-callback';

/** A manager gives a task in chat; the assignee sees it at once, lists it, and closes it from the card. */
let w: TaskWorld;
beforeAll(async () => {
  w = await startTaskWorld(); // Wednesday 2026-11-25 10:00 in Shanghai
});
afterAll(() => w.h.stop());

const manual = () => w.h.app.db.task.findMany({ where: { kind: 'tasks.manual' }, orderBy: { id: 'asc' } });

it('gives a task with its deadline read in the chain time zone, announced to the assignee at once', async () => {
  const answer = await w.say('wangfang', '任务 明早9点前 清洁制冰机 @张小美');
  expect(answer.body.content).toBe('已派任务「清洁制冰机」给 张小美，截止 11月26日 09:00。到时没完成会提醒，再超时会告诉店长。');
  const [task] = await manual();
  expect(task).toMatchObject({ storeCode: 'S1', assignee: 'xiaomei', title: '清洁制冰机', dueAt: new Date('2026-11-26T01:00:00Z'), createdBy: 'wangfang', state: 'open' });
  const [card] = w.taskCards('xiaomei');
  expect(card.body).toMatchObject({ main_title: { title: '清洁制冰机', desc: '一店 · 人民路 · 截止 11月26日 09:00' }, button_list: [{ text: '完成' }, { text: '知道了' }] });
});

it('opens nothing twice when WeCom delivers the message again', async () => {
  const xml = textMessage(w.h.keys, 'wangfang', '任务 今天18点前 整理仓库 @李强', { msgId: '7400000000000000777', createTime: Math.floor(w.clock.now().getTime() / 1000) });
  const stamp = { timestamp: String(Math.floor(w.clock.now().getTime() / 1000)) };
  for (let i = 0; i < 3; i++) await w.h.deliver(xml, stamp);
  await w.h.settle();
  expect((await manual()).filter((t) => t.title === '整理仓库')).toHaveLength(1);
  expect(w.taskCards('liqiang')).toHaveLength(1);
});

it('lists the sender’s open tasks with 我的任务, and closes one from its card', async () => {
  await w.say('wangfang', '任务 周五前 盘点小料 @xiaomei');
  expect((await w.say('xiaomei', '我的任务')).body.content).toBe('你的待办（2）：\n1. 清洁制冰机 · 截止 11月26日 09:00\n2. 盘点小料 · 截止 11月27日 18:00\n在任务卡片上点「完成」或「知道了」。');
  const card = w.taskCards('xiaomei').find((c) => (c.body.main_title as { title: string }).title === '清洁制冰机')!;
  await w.tap('xiaomei', card, '完成');
  expect(w.h.fake.cardView(String(card.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已完成' });
  expect((await w.say('xiaomei', '我的任务')).body.content).toContain('你的待办（1）：\n1. 盘点小料');
  expect((await w.say('chengang', '我的任务')).body.content).toBe('你现在没有待办任务。');
});

it('gives a task to each person mentioned, and to the staff on shift when nobody is', async () => {
  expect((await w.say('wangfang', '任务 今天17点前 擦玻璃 @张小美 @李强')).body.content).toContain('给 张小美、李强，截止 11月25日 17:00');
  expect((await manual()).filter((t) => t.title === '擦玻璃').map((t) => t.assignee)).toEqual(['xiaomei', 'liqiang']);
  expect((await w.say('wangfang', '任务 2小时后 检查冷柜温度')).body.content).toBe('已派任务「检查冷柜温度」给 当班同事（到时提醒），截止 11月25日 12:00。到时没完成会提醒，再超时会告诉店长。');
  expect((await manual()).at(-1)).toMatchObject({ assignee: null, dueAt: new Date(w.clock.now().getTime() + 120 * MINUTE) });
});

it('answers in Chinese what is wrong', async () => {
  const before = (await manual()).length;
  expect((await w.say('xiaomei', '任务 明早9点前 清洁制冰机 @李强')).body.content).toBe('只有店长、区域经理或管理员可以派任务。');
  expect((await w.say('wangfang', '任务 明早9点前 清洁制冰机 @张三')).body.content).toBe('本店里没有找到「张三」，请检查名字或用企业微信账号（userid）。');
  expect((await w.say('chengang', '任务 明早9点前 清洁制冰机 @张小美')).body.content).toBe('本店里没有找到「张小美」，请检查名字或用企业微信账号（userid）。');
  expect((await w.say('wangfang', '任务 清洁制冰机 @李强')).body.content).toContain('没看懂截止时间，例如：任务 明早9点前 清洁制冰机 @张三');
  expect((await w.say('wangfang', '任务 今天早上8点前 开门 @李强')).body.content).toBe('截止时间 11月25日 08:00 已经过去了，请写一个将来的时间。');
  expect((await w.say('wangfang', '任务 明早9点前 @李强')).body.content).toBe('请写上要做什么，例如：任务 明早9点前 清洁制冰机 @张三');
  expect((await w.say('zhaoqu', '任务 明早9点前 检查消防通道')).body.content).toBe('请用 @ 指定负责人，例如：任务 明早9点前 清洁制冰机 @张三');
  expect(await manual()).toHaveLength(before);
});

it('lets an area manager give a task to anyone in their area', async () => {
  expect((await w.say('zhaoqu', '任务 明天10点前 核对交接本 @陈刚')).body.content).toContain('给 陈刚');
  expect((await manual()).at(-1)).toMatchObject({ storeCode: 'S2', assignee: 'chengang', createdBy: 'zhaoqu' });
});

it('reads dates of other weeks whole, and asks back a date it reads only in part', async () => {
  expect((await w.say('wangfang', '任务 下下周三 清洁 @李强')).body.content).toBe('已派任务「清洁」给 李强，截止 12月9日 18:00（只写了日期，按当天结束计）。到时没完成会提醒，再超时会告诉店长。');
  expect((await w.say('wangfang', '任务 本周五 盘点 @李强')).body.content).toContain('已派任务「盘点」给 李强，截止 11月27日 18:00');
  const before = (await manual()).length;
  expect((await w.say('wangfang', '任务 每周五 清洁 @李强')).body.content).toBe('没看懂截止时间「每周五」，请换个写法，例如“下周三前”“12月20日 18:00前”“明天下午3点前”。');
  expect(await manual()).toHaveLength(before);
});
