import type { Feature } from '../../src/bot/registry';
import { startHarness, type Harness } from '../helpers/harness';
import { textMessage } from '../helpers/wecom-callback';

const echo: Feature = { name: 'echo', register: (bot) => bot.command('回声', (ctx) => ctx.reply(`你说：${ctx.args}`)) };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [echo] });
});
afterAll(() => h.stop());

it('stores the message, acks with an empty 200, runs the handler and delivers the reply', async () => {
  const res = await h.deliver(textMessage(h.keys, 'zhangsan', '回声 你好'));
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('');
  await h.settle();

  const rows = await h.app.db.inboundMessage.findMany();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ fromUser: 'zhangsan', msgType: 'text', status: 'done' });

  const outbox = await h.app.db.outboxMessage.findMany();
  expect(outbox).toMatchObject([{ recipient: 'zhangsan', kind: 'text', status: 'sent', body: { content: '你说：你好' } }]);
  expect(h.fake.inbox('zhangsan').map((m) => m.body.content)).toEqual(['你说：你好']);
  expect(h.fake.callsTo('message/send')[0].body).toMatchObject({ touser: 'zhangsan', msgtype: 'text', agentid: 1000002, enable_duplicate_check: 1 });
});
