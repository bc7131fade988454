import { enqueue } from '../../src/platform/outbox';
import { text } from '../../src/platform/outbound';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';

const clock = new TestClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clock, workers: false });
});
afterAll(() => h.stop());

it('keeps one member’s messages in order when the first one has to be retried', async () => {
  await enqueue(
    h.app.db,
    ['一', '二', '三'].map((t, i) => ({ to: 'u_order', content: text(t), idempotencyKey: `order-${i}` })),
    clock.now(),
  );
  await enqueue(h.app.db, [{ to: 'u_other', content: text('别人的') }], clock.now());
  // The two members' first sends may reach WeCom in either order: fail u_order's, whichever comes first.
  h.fake.failNext('message/send', { errcode: -1, errmsg: 'system busy' }, 1, (body) => body.touser === 'u_order');
  while ((await h.app.sender.drainOnce()) > 0);
  // 一 waits for its retry, and 二 and 三 wait behind it; another member is not held up.
  expect(h.fake.inbox('u_order')).toHaveLength(0);
  expect(h.fake.inbox('u_other')).toHaveLength(1);
  clock.advance(5_001);
  while ((await h.app.sender.drainOnce()) > 0);
  expect(h.fake.inbox('u_order').map((m) => m.body.content)).toEqual(['一', '二', '三']);
});
