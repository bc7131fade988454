import { importMasterData } from '../../src/features/masterdata/import';
import { stockFeature } from '../../src/features/stock';
import { enqueue } from '../../src/platform/outbox';
import { image, text } from '../../src/platform/outbound';
import { visibleText } from '../../src/platform/sender';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { stockChat } from '../features/stock/chat';

/**
 * WeCom's duplicate check drops a request whose JSON equals one it took for the same person
 * within the interval (the fake does the same). A person who asks twice is answered twice; a row
 * sent again after a lost answer still reaches them once.
 */
const clock = new TestClock();
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock, env: { WECOM_DUPLICATE_CHECK_SECONDS: '1800' } });
  chat = stockChat(h, clock);
  await importMasterData(h.app.db, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(h.app.db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\n', 'csv');
  await importMasterData(h.app.db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nCREAM,奶油,,乳品,盒,箱=12,28\n', 'csv');
});
afterAll(() => h.stop());

it('answers a question asked twice, twice, with the same visible words', async () => {
  const first = await chat.say('xiaomei', '查库存 奶油');
  clock.advance(10_000);
  const second = await chat.say('xiaomei', '查库存 奶油');
  expect(h.fake.messages.filter((m) => m.touser === 'xiaomei' && m.dropped)).toEqual([]);
  expect(h.fake.inbox('xiaomei')).toHaveLength(2);
  expect(second.body.content).not.toBe(first.body.content);
  expect(visibleText(second.body.content)).toBe(visibleText(first.body.content));
  expect(visibleText(first.body.content)).toMatch(/^一店 奶油 现有 0盒/);
});

it('answers the same wrong input every time it is sent', async () => {
  for (let i = 0; i < 3; i++) {
    await chat.say('xiaomei', '入库 奶油');
    clock.advance(1_000);
  }
  const refusals = h.fake
    .inbox('xiaomei')
    .slice(-3)
    .map((m) => visibleText(m.body.content));
  expect(new Set(refusals).size).toBe(1);
  expect(
    new Set(
      h.fake
        .inbox('xiaomei')
        .slice(-3)
        .map((m) => m.body.content),
    ).size,
  ).toBe(3);
});

it('delivers a row once when WeCom took it but the answer was lost, even after another row with the same words', async () => {
  const at = clock.now();
  await enqueue(h.app.db, [{ to: 'u_lost', content: text('货到了'), idempotencyKey: 'lost-1' }], at);
  await h.app.sender.drainOnce();
  await enqueue(h.app.db, [{ to: 'u_lost', content: text('货到了'), idempotencyKey: 'lost-2' }], at);
  h.fake.loseNextAnswer('message/send');
  await h.app.sender.drainOnce();
  const lost = await h.app.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'lost-2' } });
  expect(lost).toMatchObject({ status: 'pending', attempts: 1 });
  clock.advance(5_001);
  await h.app.sender.drainOnce();
  expect(await h.app.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'lost-2' } })).toMatchObject({ status: 'sent', attempts: 2 });
  // WeCom saw lost-2 twice, the same JSON both times, and dropped the second; the person has both rows once each.
  expect(h.fake.messages.filter((m) => m.touser === 'u_lost').map((m) => m.dropped ?? 'delivered')).toEqual(['delivered', 'delivered', 'duplicate']);
  expect(h.fake.inbox('u_lost').map((m) => visibleText(m.body.content))).toEqual(['货到了', '货到了']);
});

it('sends the same words as they are once the interval has passed', async () => {
  await enqueue(h.app.db, [{ to: 'u_later', content: text('交班提醒'), idempotencyKey: 'later-1' }], clock.now());
  await h.app.sender.drainOnce();
  clock.advance(1_800_001);
  await enqueue(h.app.db, [{ to: 'u_later', content: text('交班提醒'), idempotencyKey: 'later-2' }], clock.now());
  await h.app.sender.drainOnce();
  expect(h.fake.inbox('u_later').map((m) => m.body.content)).toEqual(['交班提醒', '交班提醒']);
});

it('cannot tell a repeated image apart: WeCom drops it within the interval (documented)', async () => {
  await enqueue(
    h.app.db,
    [
      { to: 'u_photo', content: image('media_1'), idempotencyKey: 'photo-1' },
      { to: 'u_photo', content: image('media_1'), idempotencyKey: 'photo-2' },
    ],
    clock.now(),
  );
  await h.app.sender.drainOnce();
  await h.app.sender.drainOnce();
  expect(h.fake.messages.filter((m) => m.touser === 'u_photo').map((m) => m.dropped ?? 'delivered')).toEqual(['delivered', 'duplicate']);
});
