import type { Messaging } from '../../../src/bot/context';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { decideHold, type HoldDecision } from '../../../src/features/stock/loss-decision';
import { tasksFeature } from '../../../src/features/tasks';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/**
 * decideHold: a manager's approval or rejection of held waste, without a card tap — what the card
 * handlers and the console both call. Who may decide is managesStore's answer; a hold is decided
 * once, however many decide at the same moment.
 */
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z')); // 10:00 in Shanghai
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature, tasksFeature], clock });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\nS3,三店,华南区\n', 'csv');
  await importMasterData(
    db,
    'staff',
    'userid,name,store,role,area\nxiaomei,张小美,S1,店员,\nboss,王店长,S1,店长,\nm2,吴店长,S2,店长,\neast,刘经理,,区域经理,华东区\nsouth,黄经理,,区域经理,华南区\nhq,总部,,管理员,\ngone,离职店长,S1,店长,\n',
    'csv',
  );
  await db.staff.update({ where: { userid: 'gone' }, data: { active: false } });
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\n', 'csv');
  await importMasterData(db, 'sku-settings', 'store,sku,safety_stock,max_daily_loss\nS1,MILK,0,5\n', 'csv');
  await chat().say('xiaomei', '入库 牛奶 20箱');
}, 60_000);
afterAll(() => h.stop());

let talk: ReturnType<typeof stockChat> | undefined;
const chat = () => (talk ??= stockChat(h, clock));

/** A box of milk wasted, far over the limit; confirmed by the staff member unless told not to. */
async function held(confirmed = true): Promise<string> {
  clock.advance(2 * 60_000);
  const card = await chat().say('xiaomei', '报损 牛奶 1箱 过期');
  if (confirmed) await chat().tap('xiaomei', card, '确认报损');
  return String((await h.app.db.stockLossHold.findFirstOrThrow({ orderBy: { id: 'desc' } })).id);
}

/** What decideHold asked messaging to do, and its answer. */
async function decide(holdId: string, by: string, decision: HoldDecision, ref = `test:${by}:${Math.random()}`) {
  const sent: { to: string | string[]; content: unknown }[] = [];
  const tapped: unknown[] = [];
  const messaging: Pick<Messaging, 'send' | 'updateCard'> = {
    send: async (to, content) => void sent.push({ to, content }),
    updateCard: async (change) => void tapped.push(change),
  };
  const result = await h.app.db.$transaction((db) => decideHold({ db, clock, config: h.app.config, messaging }, { holdId, decision, by, ref }));
  return { result, sent, tapped };
}
const moves = (id: string) => h.app.db.stockMove.count({ where: { externalId: `loss-hold:${id}` } });

it('lets the store’s manager, its area manager and an admin decide; nobody else', async () => {
  const id = await held();
  for (const by of ['xiaomei', 'm2', 'south', 'gone', 'nobody']) {
    const { result, sent } = await decide(id, by, 'approve');
    expect([by, result]).toEqual([by, { ok: false, status: 403, code: 'not_manager', message: '只有这家店的店长（或区域经理）可以批准。' }]);
    expect(sent).toEqual([]);
  }
  expect((await decide(id, 'south', 'reject')).result).toMatchObject({ ok: false, status: 403, message: '只有这家店的店长（或区域经理）可以驳回。' });
  expect(await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: BigInt(id) } })).toMatchObject({ status: 'pending', managerApprovedAt: null });
  expect(await moves(id)).toBe(0);

  for (const by of ['boss', 'east', 'hq']) {
    const other = await held();
    const { result, sent, tapped } = await decide(other, by, 'approve');
    expect([by, result.ok && result.state]).toEqual([by, 'booked']);
    expect(sent).toEqual([{ to: 'xiaomei', content: expect.stringContaining('店长已批准，报损已记账。') }]);
    // No card was tapped: none is rewritten through updateCard.
    expect(tapped).toEqual([]);
    expect(await moves(other)).toBe(1);
  }
});

it('books through the booking path: the move, the balance, the hold and its task', async () => {
  const id = await held();
  const before = await chat().onHand('S1', 'MILK');
  const { result } = await decide(id, 'boss', 'approve', 'test:booking');
  expect(result).toMatchObject({ ok: true, state: 'booked', repeated: false });
  const move = await h.app.db.stockMove.findUniqueOrThrow({ where: { externalId: `loss-hold:${id}` } });
  expect(move).toMatchObject({ kind: 'waste', staffUserid: 'xiaomei', reason: '过期', storeCode: 'S1' });
  expect(move.quantity.toNumber()).toBe(-12);
  expect(await chat().onHand('S1', 'MILK')).toBe(before - 12);
  expect(await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: BigInt(id) } })).toMatchObject({ status: 'booked', moveId: move.id, managerUserid: 'boss', decisionRef: 'test:booking' });
  expect((await h.app.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'stock.lossHold', sourceRef: `loss-hold:${id}` } } })).state).toBe('done');
  // The same ref again: the same answer, flagged as a repeat; any other decision: refused.
  expect((await decide(id, 'boss', 'approve', 'test:booking')).result).toMatchObject({ ok: true, state: 'booked', repeated: true });
  expect((await decide(id, 'boss', 'reject', 'test:booking')).result).toMatchObject({ ok: false, status: 409, message: '这笔报损已经记账了。' });
  expect((await decide(id, 'east', 'approve')).result).toMatchObject({ ok: false, status: 409, code: 'already_decided', message: '这笔报损已经记账了。' });
  expect(await moves(id)).toBe(1);
});

it('rejects: cancelled, nothing booked, the staff member told', async () => {
  const id = await held(false);
  const { result, sent } = await decide(id, 'east', 'reject');
  expect(result).toMatchObject({ ok: true, state: 'rejected', message: '已驳回，没有记账：牛奶 12盒（过期）' });
  expect(sent).toEqual([{ to: 'xiaomei', content: '店长驳回了你的报损，没有记账：牛奶 12盒（过期）。如有疑问请当面核对。' }]);
  expect(await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: BigInt(id) } })).toMatchObject({ status: 'cancelled', closedBy: 'east', managerUserid: 'east' });
  expect((await h.app.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'stock.lossHold', sourceRef: `loss-hold:${id}` } } })).state).toBe('cancelled');
  expect((await decide(id, 'boss', 'approve')).result).toMatchObject({ ok: false, status: 409, message: '这笔报损已经取消，没有记账。' });
  expect(await moves(id)).toBe(0);
});

it('refuses an unknown hold', async () => {
  expect((await decide('999999', 'boss', 'approve')).result).toMatchObject({ ok: false, status: 404, code: 'unknown_hold', message: '找不到这笔报损。' });
  expect((await decide('x1', 'boss', 'approve')).result).toMatchObject({ ok: false, status: 404 });
});

it('decides once when two managers decide at the same moment: one move, the other refused', async () => {
  for (const [a, b] of [
    ['approve', 'approve'],
    ['approve', 'reject'],
  ] as const) {
    const id = await held();
    const results = await Promise.all([decide(id, 'boss', a), decide(id, 'east', b)]);
    const answers = results.map((r) => (r.result.ok ? 'ok' : r.result.status));
    expect(answers.sort()).toEqual([409, 'ok']);
    const hold = await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: BigInt(id) } });
    expect(await moves(id)).toBe(hold.status === 'booked' ? 1 : 0);
    expect(['booked', 'cancelled']).toContain(hold.status);
    // Only the winner told the staff member.
    expect(results.flatMap((r) => r.sent)).toHaveLength(1);
  }
});
