import { UserFacingError } from '../../src/bot/errors';
import { APOLOGY } from '../../src/bot/processor';
import type { Feature } from '../../src/bot/registry';
import { helpFeature } from '../../src/features/help';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { eventMessage, innerXml, textMessage } from '../helpers/wecom-callback';

let calls = 0;
const faulty: Feature = {
  name: 'faulty',
  register: (bot) => {
    bot.command('入库', () => {
      throw new UserFacingError('stock.quantityOutOfRange', '数量要大于 0，例如：入库 奶油 20箱');
    });
    bot.command('坏掉', () => {
      calls++;
      throw new Error('bug in handler');
    });
  },
};

const clock = new TestClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [faulty, helpFeature], clock });
});
afterAll(() => h.stop());

it('answers an expected failure in Chinese and marks the message handled', async () => {
  await h.deliver(textMessage(h.keys, 'u_err', '入库 奶油 -3箱'));
  await h.settle();
  expect(h.fake.inbox('u_err').map((m) => m.body.content)).toEqual(['数量要大于 0，例如：入库 奶油 20箱']);
  expect(await h.app.db.inboundMessage.findFirst({ where: { fromUser: 'u_err' } })).toMatchObject({ status: 'done' });
});

it('retries a handler bug, then marks the message failed and apologises once', async () => {
  await h.deliver(textMessage(h.keys, 'u_bug', '坏掉'));
  await h.settle();
  for (let i = 0; i < 3; i++) {
    clock.advance(60_000);
    await h.app.processor.sweep();
    await h.settle();
  }
  expect(calls).toBe(3);
  const row = await h.app.db.inboundMessage.findFirst({ where: { fromUser: 'u_bug' } });
  expect(row).toMatchObject({ status: 'failed', attempts: 3, lastError: 'Error: bug in handler' });
  expect(h.fake.inbox('u_bug').map((m) => m.body.content)).toEqual([APOLOGY]);
});

it('greets someone new once, and answers unknown text, unknown buttons and unsupported types politely', async () => {
  const t = Math.floor(Date.now() / 1000);
  await h.deliver(eventMessage(h.keys, 'u_new', 'enter_agent', '', '', t));
  await h.settle();
  await h.deliver(textMessage(h.keys, 'u_new', '今天天气怎么样'));
  await h.deliver(eventMessage(h.keys, 'u_new', 'click', 'no.such.button'));
  await h.deliver(eventMessage(h.keys, 'u_new', 'enter_agent', '', '', t + 5)); // opens the app again: no second greeting
  await h.deliver(eventMessage(h.keys, 'u_new', 'view', 'https://example.com', '', t + 1)); // passive: no answer
  await h.deliver(innerXml({ ToUserName: h.keys.corpId, FromUserName: 'u_new', CreateTime: t, MsgType: 'voice', MediaId: 'm1', MsgId: '7100000000000000001' }));
  await h.settle();
  const replies = h.fake.inbox('u_new').map((m) => m.body.content as string);
  expect(replies[0]).toContain('你好，我是门店助手');
  expect(replies.slice(1)).toEqual(
    expect.arrayContaining([expect.stringContaining('没看懂「今天天气怎么样」'), expect.stringContaining('这个按钮暂时没有对应的功能'), expect.stringContaining('暂时还处理不了这类消息')]),
  );
  expect(replies).toHaveLength(4);
});

it('lists the registered commands on 帮助', async () => {
  await h.deliver(textMessage(h.keys, 'u_help', '帮助'));
  await h.settle();
  expect(h.fake.inbox('u_help')[0].body.content).toContain('· 帮助 — 查看我能做什么');
});
