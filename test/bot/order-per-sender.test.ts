import type { Feature } from '../../src/bot/registry';
import { eventually, startHarness, type Harness } from '../helpers/harness';
import { textMessage } from '../helpers/wecom-callback';

/** One person's messages are handled in the order they were sent, even when the first is slow. */
const handled: string[] = [];
let release: () => void = () => undefined;
const slowThenFast: Feature = {
  name: 'slowThenFast',
  register: (bot) => {
    bot.command('慢', async (ctx) => {
      handled.push(`start ${ctx.message.fromUser} 慢`);
      await new Promise<void>((resolve) => (release = resolve));
      handled.push(`end ${ctx.message.fromUser} 慢`);
    });
    bot.command('快', (ctx) => {
      handled.push(`${ctx.message.fromUser} 快`);
    });
  },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [slowThenFast] });
});
afterAll(() => h.stop());

it('holds a later message until the earlier one from the same sender is handled, without holding up others', async () => {
  await h.deliver(textMessage(h.keys, 'a', '慢'));
  await eventually(() => handled.includes('start a 慢'));
  await h.deliver(textMessage(h.keys, 'a', '快'));
  await h.deliver(textMessage(h.keys, 'b', '快'));
  await eventually(() => handled.includes('b 快'));
  await new Promise((r) => setTimeout(r, 200));
  expect(handled).not.toContain('a 快');
  release();
  await h.settle();
  expect(handled).toEqual(['start a 慢', 'b 快', 'end a 慢', 'a 快']);
});
