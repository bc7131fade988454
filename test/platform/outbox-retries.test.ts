import { enqueue } from '../../src/platform/outbox';
import { templateCard, text } from '../../src/platform/outbound';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';

/** The sender against a fake WeCom that fails on purpose; the clock skips the backoff waits. */
const clock = new TestClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clock, workers: false });
});
afterAll(() => h.stop());

async function row(key: string) {
  return h.app.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: key } });
}

it('retries with backoff on -1 (system busy) and on HTTP errors, then delivers', async () => {
  await enqueue(h.app.db, [{ to: 'u_retry', content: text('货到了'), idempotencyKey: 'retry-1' }], clock.now());
  h.fake.failNext('message/send', { errcode: -1, errmsg: 'system busy' });
  h.fake.failNext('message/send', { httpStatus: 502 });

  await h.app.sender.drainOnce();
  expect(await row('retry-1')).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('-1') });
  expect(await h.app.sender.drainOnce()).toBe(0); // not due yet: backoff
  clock.advance(5_001);
  await h.app.sender.drainOnce();
  expect(await row('retry-1')).toMatchObject({ status: 'pending', attempts: 2, lastError: expect.stringContaining('HTTP 502') });
  clock.advance(15_001);
  await h.app.sender.drainOnce();
  expect(await row('retry-1')).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
  expect(h.fake.inbox('u_retry')).toHaveLength(1);
});

it('dead-letters at once on an error that retrying cannot fix', async () => {
  await enqueue(h.app.db, [{ to: 'u_gone', content: text('你好'), idempotencyKey: 'dead-1' }], clock.now());
  h.fake.failNext('message/send', { errcode: 81013, errmsg: 'user & party & tag all invalid' });
  await h.app.sender.drainOnce();
  expect(await row('dead-1')).toMatchObject({ status: 'dead', attempts: 1, lastError: expect.stringContaining('81013') });
});

it('dead-letters after the last retry, keeping the last error', async () => {
  await enqueue(h.app.db, [{ to: 'u_busy', content: text('一直忙'), idempotencyKey: 'dead-2' }], clock.now());
  h.fake.failNext('message/send', { errcode: 45009, errmsg: 'api freq out of limit' }, 100);
  for (let i = 0; i < 10; i++) {
    await h.app.sender.drainOnce();
    clock.advance(600_001);
  }
  expect(await row('dead-2')).toMatchObject({ status: 'dead', attempts: 8, lastError: expect.stringContaining('45009') });
  h.fake.clearFaults();
});

it('takes over a row whose sender died mid-send, with duplicate checking on', async () => {
  await enqueue(h.app.db, [{ to: 'u_crash', content: text('只发一次'), idempotencyKey: 'crash-1' }], clock.now());
  // A sender that delivered and then crashed before recording it.
  await h.app.sender.drainOnce();
  await h.app.db.outboxMessage.update({ where: { idempotencyKey: 'crash-1' }, data: { status: 'sending', lockedUntil: clock.now(), sentAt: null } });
  clock.advance(1);
  await h.app.sender.drainOnce();
  expect(await row('crash-1')).toMatchObject({ status: 'sent' });
  // WeCom saw it twice but, with enable_duplicate_check, the member got it once.
  expect(h.fake.messages.filter((m) => m.touser === 'u_crash')).toHaveLength(2);
  expect(h.fake.inbox('u_crash')).toHaveLength(1);
});

const buttonCard = (title: string, taskId?: string) =>
  templateCard({ card_type: 'button_interaction', ...(taskId ? { task_id: taskId } : {}), main_title: { title }, button_list: [{ text: '好', key: 'ok' }] });

it('counts a card as sent when its resend finds the task_id taken (an earlier attempt delivered it), and dead-letters a first attempt that does', async () => {
  await enqueue(h.app.db, [{ to: 'u_card', content: buttonCard('到货确认'), idempotencyKey: 'card-crash' }], clock.now());
  // Delivered, then the sender crashed before recording it; the lease runs out after the duplicate-check window.
  await h.app.sender.drainOnce();
  await h.app.db.outboxMessage.update({ where: { idempotencyKey: 'card-crash' }, data: { status: 'sending', lockedUntil: clock.now(), sentAt: null, responseCode: null } });
  clock.advance(10 * 60_000);
  await h.app.sender.drainOnce();
  expect(await row('card-crash')).toMatchObject({ status: 'sent', attempts: 2, responseCode: null, lastError: expect.stringContaining('42014') });
  expect(h.fake.inbox('u_card')).toHaveLength(1);

  // A task_id another card already has, on the first attempt: not ours to claim as delivered.
  const [first] = h.fake.messages.filter((m) => m.touser === 'u_card');
  await enqueue(h.app.db, [{ to: 'u_card', content: buttonCard('另一张', String(first.body.task_id)), idempotencyKey: 'card-clash' }], clock.now());
  await h.app.sender.drainOnce();
  expect(await row('card-clash')).toMatchObject({ status: 'dead', attempts: 1, lastError: expect.stringContaining('42014') });
});

it('enqueues once per idempotency key', async () => {
  await enqueue(h.app.db, [{ to: 'u_once', content: text('一次'), idempotencyKey: 'once' }], clock.now());
  await enqueue(h.app.db, [{ to: 'u_once', content: text('一次'), idempotencyKey: 'once' }], clock.now());
  expect(await h.app.db.outboxMessage.count({ where: { recipient: 'u_once' } })).toBe(1);
});
