import { WecomClient } from '../../src/platform/wecom-client';
import { enqueue } from '../../src/platform/outbox';
import { text } from '../../src/platform/outbound';
import { createLogger } from '../../src/log';
import { systemClock } from '../../src/clock';
import { startHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: false });
});
afterAll(() => h.stop());

it('fetches a token once, caches it, and refreshes once on 42001', async () => {
  await enqueue(h.app.db, [{ to: 'u1', content: text('一'), idempotencyKey: 't1' }], new Date());
  await h.app.sender.drainOnce();
  await enqueue(h.app.db, [{ to: 'u1', content: text('二'), idempotencyKey: 't2' }], new Date());
  await h.app.sender.drainOnce();
  expect(h.fake.callsTo('gettoken')).toHaveLength(1);

  h.fake.expireAllTokens();
  await enqueue(h.app.db, [{ to: 'u1', content: text('三'), idempotencyKey: 't3' }], new Date());
  await h.app.sender.drainOnce();
  expect(h.fake.callsTo('gettoken')).toHaveLength(2);
  const sends = h.fake.callsTo('message/send').map((c) => (c.answer as { errcode: number }).errcode);
  expect(sends).toEqual([0, 0, 42001, 0]);
  expect(h.fake.inbox('u1').map((m) => m.body.content)).toEqual(['一', '二', '三']);
});

it('shares one token between replicas through the database', async () => {
  const before = h.fake.callsTo('gettoken').length;
  const replica = new WecomClient({ ...h.app.config.wecom, db: h.app.db, clock: systemClock, log: createLogger('silent') });
  await Promise.all([replica.accessToken(), replica.accessToken(), h.app.wecom.accessToken()]);
  expect(h.fake.callsTo('gettoken')).toHaveLength(before);
});

it('refreshes a token one caller at a time when several find it stale at once', async () => {
  h.fake.expireAllTokens();
  const before = h.fake.callsTo('gettoken').length;
  const stale = (await h.app.db.accessToken.findFirstOrThrow()).token;
  const replicas = [1, 2, 3].map(() => new WecomClient({ ...h.app.config.wecom, db: h.app.db, clock: systemClock, log: createLogger('silent') }));
  const tokens = await Promise.all(replicas.map((r) => r.accessToken(true, stale)));
  expect(new Set(tokens).size).toBe(1);
  expect(h.fake.callsTo('gettoken')).toHaveLength(before + 1);
});

it('says which variable is wrong when WeCom rejects the secret', async () => {
  const lines: string[] = [];
  const log = createLogger('error', { write: (line: string) => lines.push(line) });
  const client = new WecomClient({ ...h.app.config.wecom, agentId: 999, secret: 'wrong', db: h.app.db, clock: systemClock, log });
  await expect(client.accessToken()).rejects.toThrow(/40001/);
  expect(lines.join('')).toContain('check WECOM_CORP_ID and WECOM_SECRET');
});
