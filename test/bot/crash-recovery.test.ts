import type { Feature } from '../../src/bot/registry';
import { openTestDatabase } from '../helpers/database';
import { TestClock } from '../helpers/clock';
import { eventually, startHarness } from '../helpers/harness';
import { textMessage } from '../helpers/wecom-callback';

const echo: Feature = { name: 'echo', register: (bot) => bot.command('回声', (ctx) => ctx.reply(`你说：${ctx.args}`)) };

it('handles after a restart a message that was acknowledged but never processed', async () => {
  const database = await openTestDatabase();
  try {
    // A process that dies right after the ack: HTTP only, no processor.
    const dying = await startHarness({ features: [echo], database, workers: false });
    expect((await dying.deliver(textMessage(dying.keys, 'zhangsan', '回声 还在吗'))).status).toBe(200);
    await dying.app.intake.drain();
    await dying.stop();
    expect(await database.prisma.inboundMessage.findMany()).toMatchObject([{ status: 'received' }]);

    // The restarted process sweeps up what was stored and not handled.
    const clock = new TestClock(Date.now() + 60_000);
    const restarted = await startHarness({ features: [echo], database, clock, fake: dying.fake });
    await eventually(async () => (await database.prisma.inboundMessage.findFirst())?.status === 'done');
    await restarted.settle();
    expect(restarted.fake.inbox('zhangsan').map((m) => m.body.content)).toEqual(['你说：还在吗']);
    await restarted.stop();
  } finally {
    await database.close();
  }
});

it('takes over a message whose handler died mid-way, once its lease has expired', async () => {
  const database = await openTestDatabase();
  try {
    const first = await startHarness({ features: [echo], database, workers: false });
    await first.deliver(textMessage(first.keys, 'lisi', '回声 一'));
    await first.app.intake.drain();
    // Simulate a worker that claimed the row and crashed: processing, lease running.
    await database.prisma.inboundMessage.updateMany({ data: { status: 'processing', attempts: 1, lockedUntil: new Date(Date.now() + 120_000) } });
    await first.stop();

    const clock = new TestClock(Date.now() + 121_000);
    const second = await startHarness({ features: [echo], database, clock, fake: first.fake });
    await eventually(async () => (await database.prisma.inboundMessage.findFirst())?.status === 'done');
    await second.settle();
    expect(second.fake.inbox('lisi')).toHaveLength(1);
    await second.stop();
  } finally {
    await database.close();
  }
});
