import { enqueue } from '../../src/platform/outbox';
import { text } from '../../src/platform/outbound';
import { RATE_LIMITS } from '../../src/platform/sender';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';

/** WeCom silently drops a member's 31st message in a minute; we must never send it. */
const clock = new TestClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clock, workers: false });
});
afterAll(() => h.stop());

it('holds back messages past the per-member minute limit and sends them when the window frees up', async () => {
  const perMinute = RATE_LIMITS[0].max;
  await enqueue(
    h.app.db,
    Array.from({ length: 40 }, (_, i) => ({ to: 'busy_user', content: text(`第${i + 1}条`), idempotencyKey: `rl-${i}` })),
    clock.now(),
  );
  await enqueue(h.app.db, [{ to: 'other_user', content: text('别人'), idempotencyKey: 'rl-other' }], clock.now());
  while ((await h.app.sender.drainOnce()) > 0 && h.fake.inbox('busy_user').length < perMinute);
  await h.app.sender.drainOnce();

  expect(h.fake.inbox('busy_user')).toHaveLength(perMinute);
  expect(h.fake.inbox('other_user')).toHaveLength(1); // one member's backlog does not hold up others
  expect(await h.app.db.outboxMessage.count({ where: { recipient: 'busy_user', status: 'pending' } })).toBe(40 - perMinute);

  clock.advance(60_001);
  while ((await h.app.sender.drainOnce()) > 0);
  const received = h.fake.inbox('busy_user');
  expect(received).toHaveLength(40);
  // In order, and WeCom never had to drop one for frequency.
  expect(received.map((m) => m.body.content)).toEqual(Array.from({ length: 40 }, (_, i) => `第${i + 1}条`));
  expect(h.fake.messages.filter((m) => m.dropped === 'frequency_limit')).toHaveLength(0);
});
