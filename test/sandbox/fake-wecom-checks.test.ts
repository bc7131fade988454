import { WecomApiError } from '../../src/platform/wecom-client';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';

/** The fake answers like WeCom where a caller would notice: codes, limits, silent drops. */
const clock = new TestClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clock, workers: false });
});
afterAll(() => h.stop());

const send = (body: Record<string, unknown>) => h.app.wecom.sendMessage(body);
const errcode = (p: Promise<unknown>) =>
  p.then(
    () => 0,
    (err: unknown) => (err instanceof WecomApiError ? err.errcode : -999),
  );

it('refuses what WeCom refuses', async () => {
  expect(await errcode(send({ touser: 'u', msgtype: 'text', text: { content: '字'.repeat(700) } }))).toBe(45002);
  expect(await errcode(send({ touser: 'u', msgtype: 'text', text: { content: '' } }))).toBe(44004);
  expect(await errcode(send({ msgtype: 'text', text: { content: 'hi' } }))).toBe(40035);
  expect(await errcode(send({ touser: 'u', msgtype: 'sticker', sticker: {} }))).toBe(40008);
  const card = (extra: Record<string, unknown>) => send({ touser: 'u', msgtype: 'template_card', template_card: { main_title: { title: 't' }, ...extra } });
  expect(await errcode(card({ card_type: 'button_interaction', task_id: 't1', button_list: [] }))).toBe(40058);
  expect(await errcode(card({ card_type: 'button_interaction', task_id: 't2', button_list: [{ text: '好' }] }))).toBe(40058);
  expect(await errcode(card({ card_type: 'vote_interaction', task_id: 't3', checkbox: { question_key: 'q', option_list: [{ id: 'a', text: 'A' }] } }))).toBe(40058);
  expect(await errcode(card({ card_type: 'multiple_interaction', task_id: 't4', submit_button: { text: '提交', key: 'k' }, select_list: [] }))).toBe(40058);
  expect(await errcode(card({ card_type: 'button_interaction', task_id: 'bad id!', button_list: [{ text: '好', key: 'k' }] }))).toBe(40058);
  expect(await errcode(card({ card_type: 'button_interaction', task_id: 'ok_1', button_list: [{ text: '好', key: 'k' }] }))).toBe(0);
  expect(await errcode(card({ card_type: 'button_interaction', task_id: 'ok_1', button_list: [{ text: '好', key: 'k' }] }))).toBe(42014); // task_id reused
});

it('accepts but silently drops past 30 messages a minute and 1,000 an hour to one member', async () => {
  for (let i = 0; i < 31; i++) await send({ touser: 'flooded', msgtype: 'text', text: { content: `m${i}` } });
  expect(h.fake.inbox('flooded')).toHaveLength(30);
  expect(h.fake.messages.filter((m) => m.touser === 'flooded' && m.dropped === 'frequency_limit')).toHaveLength(1);
  for (let minute = 1; minute <= 33; minute++) {
    clock.advance(61_000);
    for (let i = 0; i < 30; i++) await send({ touser: 'flooded', msgtype: 'text', text: { content: `h${minute}-${i}` } });
  }
  // 30 + 33 × 30 = 1,020 sent within 34 minutes: the hour's cap of 1,000 drops the last 20.
  expect(h.fake.inbox('flooded')).toHaveLength(1000);
  expect(h.fake.messages.filter((m) => m.touser === 'flooded' && m.dropped === 'frequency_limit')).toHaveLength(21);
}, 90_000); // 1,051 sends through the fake: allow for a busy CI machine

it('lets a response code update its card once', async () => {
  const { response_code } = await send({
    touser: 'u2',
    msgtype: 'template_card',
    template_card: { card_type: 'button_interaction', task_id: 'upd_1', main_title: { title: 't' }, button_list: [{ text: '好', key: 'k' }] },
  });
  const update = { userids: ['u2'], response_code, button: { replace_name: '已处理' } };
  expect(await errcode(h.app.wecom.updateTemplateCard(update))).toBe(0);
  expect(await errcode(h.app.wecom.updateTemplateCard(update))).toBe(40099);
  expect(h.fake.cardView('upd_1', 'u2')).toMatchObject({ replacedName: '已处理' });
});
