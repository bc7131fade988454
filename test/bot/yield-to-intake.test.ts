import type { Feature } from '../../src/bot/registry';
import { eventually, startHarness, type Harness } from '../helpers/harness';
import { textMessage } from '../helpers/wecom-callback';

/** While callbacks are being stored, handlers run one at a time; once the burst is stored, as many as usual. */
let running = 0;
const releases: (() => void)[] = [];
const blocking: Feature = {
  name: 'blocking',
  register: (bot) =>
    bot.command('等', async () => {
      running++;
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
    }),
};

let h: Harness;
let storing = true;
beforeAll(async () => {
  h = await startHarness({ features: [blocking] });
  // Stands in for a burst the intake is writing, for as long as the test says.
  Object.defineProperty(h.app.intake, 'busy', { get: () => storing });
});
afterAll(async () => {
  storing = false;
  // Nothing left blocked, whatever the test saw: stopping waits for running handlers.
  const drain = setInterval(() => releases.splice(0).forEach((release) => release()), 10);
  await h.stop();
  clearInterval(drain);
});

it('runs one handler at a time while the intake is busy, and the rest once it is not', async () => {
  for (const sender of ['a', 'b', 'c']) await h.deliver(textMessage(h.keys, sender, '等'));
  await eventually(() => running === 1);
  await new Promise((r) => setTimeout(r, 200));
  expect(running).toBe(1);
  storing = false;
  releases.shift()!();
  await eventually(() => running === 2);
  while (releases.length > 0 || running > 0) {
    releases.splice(0).forEach((release) => release());
    await new Promise((r) => setTimeout(r, 20));
  }
  await h.settle();
  expect(await h.app.db.inboundMessage.count({ where: { status: 'done' } })).toBe(3);
});
