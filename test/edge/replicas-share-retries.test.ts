import type { Feature } from '../../src/bot/registry';
import { openTestDatabase } from '../helpers/database';
import { startHarness } from '../helpers/harness';
import { seal, textMessage } from '../helpers/wecom-callback';

/** Behind a load balancer WeCom's retries land on any replica: they must still count once. */
it('handles a message once when its deliveries reach two replicas at the same time', async () => {
  let handled = 0;
  const counter: Feature = {
    name: 'counter',
    register: (bot) =>
      bot.command('记录', async (ctx) => {
        handled++;
        await ctx.reply('已记录');
      }),
  };
  const database = await openTestDatabase();
  const a = await startHarness({ features: [counter], database });
  const b = await startHarness({ features: [counter], database, fake: a.fake, env: { WECOM_TOKEN: a.keys.token, WECOM_ENCODING_AES_KEY: a.keys.encodingAesKey } });
  try {
    const envelope = seal(a.keys, textMessage(a.keys, 'replica_user', '记录', { msgId: '7200000000000000001' }));
    const statuses = await Promise.all([a, b, a, b].map(async (replica) => (await replica.post(envelope.query, envelope.body)).status));
    expect(statuses).toEqual([200, 200, 200, 200]);
    await a.settle();
    await b.settle();
    expect(handled).toBe(1);
    expect(await database.prisma.inboundMessage.count()).toBe(1);
    expect(a.fake.inbox('replica_user')).toHaveLength(1);
  } finally {
    await a.stop();
    await b.stop();
    await database.close();
  }
});
