import { APOLOGY } from '../../src/bot/processor';
import type { Feature } from '../../src/bot/registry';
import { TestClock } from '../helpers/clock';
import { startHarness } from '../helpers/harness';
import { textMessage } from '../helpers/wecom-callback';

it('stops re-running a message whose handler took its process down three times, and apologises', async () => {
  let runs = 0;
  const feature: Feature = { name: 'feature', register: (bot) => bot.command('崩溃', () => void runs++) };
  const clock = new TestClock();
  const h = await startHarness({ features: [feature], clock, workers: false });
  try {
    await h.deliver(textMessage(h.keys, 'u_poison', '崩溃'));
    await h.app.intake.drain();
    // Three processes claimed it and died: attempts 3, lease run out.
    await h.app.db.inboundMessage.updateMany({ data: { status: 'processing', attempts: 3, lockedUntil: clock.now() } });
    clock.advance(1_000);
    h.app.processor.start();
    await h.app.processor.sweep();
    await h.settle();
    expect(runs).toBe(0);
    expect(await h.app.db.inboundMessage.findFirst()).toMatchObject({ status: 'failed', attempts: 4, lastError: expect.stringContaining('died with its process 3 times') });
    expect(h.fake.inbox('u_poison').map((m) => m.body.content)).toEqual([APOLOGY]);
  } finally {
    await h.app.processor.stop();
    await h.stop();
  }
});
