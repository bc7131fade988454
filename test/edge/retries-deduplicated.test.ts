import type { Feature } from '../../src/bot/registry';
import { startHarness, type Harness } from '../helpers/harness';
import { eventMessage, innerXml, textMessage } from '../helpers/wecom-callback';

/** WeCom retries a callback it got no answer for; a retry must never be handled twice. */
const handled: string[] = [];
const recorder: Feature = {
  name: 'recorder',
  register: (bot) => {
    bot.command('记录', async (ctx) => {
      handled.push(ctx.message.dedupeKey);
      await ctx.reply('已记录');
    });
    bot.card('demo.confirm', async (ctx) => {
      handled.push(ctx.message.dedupeKey);
      await ctx.reply(`确认 ${ctx.keyArg}（${ctx.message.card?.taskId}）`);
    });
  },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [recorder] });
});
afterAll(() => h.stop());
beforeEach(() => {
  handled.length = 0;
});

it('processes the same MsgId delivered three times once', async () => {
  const xml = textMessage(h.keys, 'lisi', '记录 一次', { msgId: '7000000000000000001' });
  for (let i = 0; i < 3; i++) expect((await h.deliver(xml)).status).toBe(200);
  await h.settle();
  expect(await h.app.db.inboundMessage.count({ where: { fromUser: 'lisi' } })).toBe(1);
  expect(handled).toEqual(['msg:7000000000000000001']);
  expect(h.fake.inbox('lisi')).toHaveLength(1);
});

it('processes three concurrent deliveries of one MsgId once', async () => {
  const xml = textMessage(h.keys, 'wangwu', '记录 并发', { msgId: '7000000000000000002' });
  const statuses = await Promise.all([1, 2, 3].map(async () => (await h.deliver(xml)).status));
  expect(statuses).toEqual([200, 200, 200]);
  await h.settle();
  expect(handled).toEqual(['msg:7000000000000000002']);
});

it('deduplicates events by sender, time, event, key and card task, but keeps distinct taps', async () => {
  const created = Math.floor(Date.now() / 1000);
  const tap = (taskId: string, key: string) =>
    eventMessage(h.keys, 'zhaoliu', 'template_card_event', key, innerXml({ TaskId: taskId, CardType: 'button_interaction', ResponseCode: 'rc' }).slice(5, -6), created);
  await h.deliver(tap('task_a', 'demo.confirm:1'));
  await h.deliver(tap('task_a', 'demo.confirm:1')); // WeCom's retry
  await h.deliver(tap('task_b', 'demo.confirm:1')); // same second, another card
  await h.deliver(tap('task_a', 'demo.confirm:2')); // same card, another button
  await h.settle();
  expect(handled).toHaveLength(3);
  expect(
    h.fake
      .inbox('zhaoliu')
      .map((m) => m.body.content)
      .sort(),
  ).toEqual(['确认 1（task_a）', '确认 1（task_b）', '确认 2（task_a）']);
});
