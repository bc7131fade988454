import { importMasterData } from '../../../src/features/masterdata/import';
import { tasksFeature } from '../../../src/features/tasks';
import type { Feature } from '../../../src/bot/registry';
import { TestClock } from '../../helpers/clock';
import { startHarness } from '../../helpers/harness';
import { eventMessage, innerXml, textMessage } from '../../helpers/wecom-callback';

/** 10:00 in Shanghai: inside working hours, whenever the tests run. */
export const MORNING = Date.parse('2026-11-25T02:00:00Z');
export const MINUTE = 60_000;

/**
 * A bot with the task engine on a chain of one area: store S1 (张小美, 李强, 店长 王芳), S2 (店长
 * 陈刚), S3 (孙梅, no store manager yet), and their area manager 赵区.
 */
export async function startTaskWorld(opts: { features?: Feature[]; env?: Record<string, string>; start?: number; workers?: boolean } = {}) {
  const clock = new TestClock(opts.start ?? MORNING);
  const h = await startHarness({ features: opts.features ?? [tasksFeature], clock, env: opts.env, workers: opts.workers });
  await importMasterData(h.app.db, 'stores', 'code,name,area\nS1,一店 · 人民路,华东区\nS2,二店 · 南京路,华东区\nS3,三店 · 新开,华东区\n', 'csv');
  await importMasterData(
    h.app.db,
    'staff',
    'userid,name,store,role,area\nxiaomei,张小美,S1,店员,\nliqiang,李强,S1,店员,\nwangfang,王芳,S1,店长,\nchengang,陈刚,S2,店长,\nzhaoqu,赵区,,区域经理,华东区\nsanmei,孙梅,S3,店员,\n',
    'csv',
  );
  const job = h.app.bot.jobs.find((j) => j.name === 'tasks.walkDue')!;
  const stamp = () => ({ timestamp: String(Math.floor(clock.now().getTime() / 1000)) });
  let createTime = Math.floor(clock.now().getTime() / 1000);
  const world = {
    h,
    clock,
    /** One run of tasks.walkDue at the clock's time, then the outbox drained. */
    async walk() {
      await h.app.scheduler.runJob(job, clock.now());
      await h.settle();
    },
    /** Cards of tasks a member has received. */
    taskCards(userid: string) {
      return h.fake.inbox(userid).filter((m) => m.msgtype === 'template_card');
    },
    /** Taps a button of a card the member received, with the fresh response_code WeCom gives a tap. */
    async tap(userid: string, card: { body: Record<string, unknown> }, buttonText: string) {
      const button = (card.body.button_list as { text: string; key: string }[]).find((b) => b.text === buttonText);
      if (!button) throw new Error(`no button ${buttonText}`);
      const taskId = String(card.body.task_id);
      const extra = innerXml({ TaskId: taskId, CardType: 'button_interaction', ResponseCode: h.fake.issueResponseCode(taskId) }).slice(5, -6);
      await h.deliver(eventMessage(h.keys, userid, 'template_card_event', button.key, extra, ++createTime), stamp());
      await h.settle();
    },
    async say(userid: string, text: string) {
      await h.deliver(textMessage(h.keys, userid, text, { createTime: ++createTime }), stamp());
      await h.settle();
      return h.fake.inbox(userid).at(-1)!;
    },
  };
  return world;
}

export type TaskWorld = Awaited<ReturnType<typeof startTaskWorld>>;
