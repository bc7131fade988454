import { consoleMiddleware } from '../../src/console';
import { importMasterData } from '../../src/features/masterdata/import';
import { stockFeature } from '../../src/features/stock';
import { visibleText } from '../../src/platform/sender';
import { tasksFeature } from '../../src/features/tasks';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { stockChat } from '../features/stock/chat';
import { signIn, type Member } from './helpers';

/**
 * A manager approves or rejects waste held over the day's limit from the console's 待审与超时
 * table, as on the review card in chat: the same decision (the stock feature's decideHold), one
 * move at most however many decide at once, and a clear 409 for a hold decided already.
 */
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z')); // 10:00 in Shanghai
let h: Harness;
let boss: Member;
let east: Member;
let m2: Member;
type Row = { id: string; cells: Record<string, unknown>; actions: { key: string; label: string; post?: string }[] };

beforeAll(async () => {
  h = await startHarness({ features: [stockFeature, tasksFeature], clock, middleware: consoleMiddleware, env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40) } });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role,area\nxiaomei,张小美,S1,店员,\nliqiang,李强,S2,店员,\nboss,王店长,S1,店长,\nm2,吴店长,S2,店长,\neast,刘经理,,区域经理,华东区\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\n', 'csv');
  await importMasterData(db, 'sku-settings', 'store,sku,safety_stock,max_daily_loss\nS1,MILK,0,5\nS2,MILK,0,5\n', 'csv');
  await chat().say('xiaomei', '入库 牛奶 10箱');
  await chat().say('liqiang', '入库 牛奶 10箱');
  boss = await signIn(h, 'boss');
  east = await signIn(h, 'east');
  m2 = await signIn(h, 'm2');
}, 90_000);
afterAll(() => h.stop());

let talk: ReturnType<typeof stockChat> | undefined;
const chat = () => (talk ??= stockChat(h, clock));
let seq = 0;
const rid = () => `req-${++seq}-abcdefgh`;

/** A staff member reports a box of milk wasted: far over the limit of 5, held for the manager. */
async function holdWaste(user = 'xiaomei', manager = 'boss') {
  // A new minute each time: the outbox keeps each member under WeCom's 25 messages a minute.
  clock.advance(2 * 60_000);
  const staffCard = await chat().say(user, '报损 牛奶 1箱 打翻了');
  expect(staffCard.body).toMatchObject({ main_title: { title: '报损待确认：牛奶 12盒' } });
  const managerCard = h.fake.inbox(manager).at(-1)!;
  expect(managerCard.body).toMatchObject({ main_title: { title: '报损需批准：牛奶 12盒' } });
  const hold = await h.app.db.stockLossHold.findFirstOrThrow({ orderBy: { id: 'desc' } });
  return { id: String(hold.id), staffCard, managerCard };
}
const decide = (m: Member, id: string, decision: string, requestId: string | null = rid(), store = 'S1') =>
  m.post(`/console/api/stores/${store}/loss-holds/${id}/${decision}`, requestId === null ? {} : { requestId });
const json = async (res: Response) => (await res.json()) as { state?: string; status?: string; message: string; error?: string; repeated?: boolean };
const pendingRows = async (m: Member = boss) => ((await (await m.get('/console/api/stores/S1/sections/pending')).json()) as { rows: Row[] }).rows;
const row = async (id: string) => (await pendingRows()).find((r) => r.id === `hold:${id}`);
const wasteMoves = (id: string) => h.app.db.stockMove.findMany({ where: { externalId: `loss-hold:${id}` } });
const onHand = () => chat().onHand('S1', 'MILK');

it('offers 批准 and 驳回 on a hold waiting for the manager, posting to the hold’s own API', async () => {
  const { id } = await holdWaste();
  const r = await row(id);
  expect(r?.cells.state).toBe('待店长批准');
  expect(r?.actions).toEqual([
    { key: 'approve', label: '批准', post: `/console/api/stores/S1/loss-holds/${id}/approve` },
    { key: 'reject', label: '驳回', post: `/console/api/stores/S1/loss-holds/${id}/reject` },
  ]);
  expect((await pendingRows(east)).find((x) => x.id === `hold:${id}`)?.actions.map((a) => a.key)).toEqual(['approve', 'reject']);
  await decide(boss, id, 'reject');
});

it('approves a confirmed hold: books it once through the booking path, closes its task, tells the staff member, rewrites the review card', async () => {
  const { id, staffCard, managerCard } = await holdWaste();
  expect((await chat().tap('xiaomei', staffCard, '确认报损')).body.content).toBe('已确认报损原因「打翻了」，店长批准后记账。');
  const before = await onHand();
  const requestId = rid();
  clock.advance(60_000);
  const res = await decide(boss, id, 'approve', requestId);
  expect(res.status).toBe(200);
  const body = await json(res);
  expect(body).toMatchObject({ state: 'booked', status: 'booked', repeated: false });
  expect(body.message).toBe(`已批准。已报损 牛奶 12盒（打翻了），一店 现有 ${before - 12}盒`);
  expect(await onHand()).toBe(before - 12);
  const moves = await wasteMoves(id);
  expect(moves.map((m) => [m.kind, m.quantity.toNumber(), m.reason])).toEqual([['waste', -12, '打翻了']]);
  expect(await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: BigInt(id) } })).toMatchObject({
    status: 'booked',
    managerUserid: 'boss',
    closedBy: 'boss',
    moveId: moves[0].id,
    decisionRef: `console:boss:${requestId}`,
  });
  expect(await h.app.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'stock.lossHold', sourceRef: `loss-hold:${id}` } } })).toMatchObject({ state: 'done', closedBy: 'boss' });
  await h.settle();
  expect(h.fake.inbox('xiaomei').at(-1)!.body.content).toBe(`店长已批准，报损已记账。已报损 牛奶 12盒（打翻了），一店 现有 ${before - 12}盒`);
  expect(h.fake.cardView(String(managerCard.body.task_id), 'boss')).toMatchObject({ replacedName: '已批准' });
  // The row now says how it ended, with nothing left to do.
  expect(await row(id)).toMatchObject({ cells: { state: '已记账' }, actions: [] });

  // The same request again (a retry): the same answer, nothing booked twice.
  const again = await decide(boss, id, 'approve', requestId);
  expect(again.status).toBe(200);
  expect(await json(again)).toMatchObject({ state: 'booked', repeated: true });
  // Another decision: refused with the reason, in Chinese.
  for (const [m, decision] of [
    [boss, 'approve'],
    [east, 'reject'],
  ] as const) {
    const refused = await decide(m, id, decision);
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({ error: 'already_decided', message: '这笔报损已经记账了。' });
  }
  // And the card in chat says so in its own words.
  expect((await chat().tap('boss', managerCard, '批准')).body.content).toBe('这笔报损已经记账了。');
  expect(await wasteMoves(id)).toHaveLength(1);
  expect(await onHand()).toBe(before - 12);
});

it('approves a hold the staff member has not confirmed yet: booked once they do', async () => {
  const { id, staffCard } = await holdWaste();
  const before = await onHand();
  const res = await decide(east, id, 'approve');
  expect(res.status).toBe(200);
  expect(await json(res)).toMatchObject({ state: 'approved', status: 'pending', message: '已批准，店员确认原因后记账：牛奶 12盒（打翻了）' });
  await h.settle();
  expect(h.fake.inbox('xiaomei').at(-1)!.body.content).toContain('店长已批准你的报损，请在卡片上选择原因并确认');
  expect(await row(id)).toMatchObject({ cells: { state: '已批准，待店员确认' }, actions: [] });
  expect(await wasteMoves(id)).toHaveLength(0);
  // Approved already: a second approval or a rejection is refused.
  const twice = await decide(boss, id, 'reject');
  expect(twice.status).toBe(409);
  expect((await json(twice)).message).toBe('这笔报损店长已经批准了，等店员确认原因后记账。');

  expect((await chat().tap('xiaomei', staffCard, '确认报损')).body.content).toBe(`已报损 牛奶 12盒（打翻了），一店 现有 ${before - 12}盒`);
  expect(await wasteMoves(id)).toHaveLength(1);
  expect(await row(id)).toMatchObject({ cells: { state: '已记账' } });
});

it('rejects a hold: nothing booked, the task cancelled, the staff member told, and a later tap on the card refused', async () => {
  const { id, managerCard } = await holdWaste();
  const before = await onHand();
  const res = await decide(boss, id, 'reject');
  expect(res.status).toBe(200);
  expect(await json(res)).toMatchObject({ state: 'rejected', status: 'cancelled', message: '已驳回，没有记账：牛奶 12盒（打翻了）' });
  expect(await h.app.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'stock.lossHold', sourceRef: `loss-hold:${id}` } } })).toMatchObject({ state: 'cancelled', closedBy: 'boss' });
  await h.settle();
  expect(visibleText(h.fake.inbox('xiaomei').at(-1)!.body.content)).toBe('店长驳回了你的报损，没有记账：牛奶 12盒（打翻了）。如有疑问请当面核对。');
  expect(h.fake.cardView(String(managerCard.body.task_id), 'boss')).toMatchObject({ replacedName: '已驳回' });
  expect(await row(id)).toMatchObject({ cells: { state: '已驳回' }, actions: [] });
  expect((await chat().tap('boss', managerCard, '批准')).body.content).toBe('这笔报损已经取消，没有记账。');
  expect(await wasteMoves(id)).toHaveLength(0);
  expect(await onHand()).toBe(before);
});

it('refuses in the console a hold decided on its card in chat (409)', async () => {
  const { id, managerCard } = await holdWaste();
  expect((await chat().tap('boss', managerCard, '驳回')).body.content).toBe('已驳回，没有记账：牛奶 12盒（打翻了）');
  const res = await decide(boss, id, 'approve');
  expect(res.status).toBe(409);
  expect(await json(res)).toMatchObject({ error: 'already_decided', message: '这笔报损已经取消，没有记账。' });
});

it('decides once when two managers (or a card and the console) decide at once: exactly one move', async () => {
  for (const rivals of ['console', 'card'] as const) {
    const { id, staffCard, managerCard } = await holdWaste();
    await chat().tap('xiaomei', staffCard, '确认报损');
    const before = await onHand();
    const [first, second] = await Promise.all([
      decide(east, id, 'approve'),
      rivals === 'console'
        ? decide(boss, id, 'approve')
        : chat()
            .tap('boss', managerCard, '批准')
            .then(() => null),
    ]);
    const statuses = [first.status, second?.status].filter((s) => s !== undefined).sort();
    if (rivals === 'console') expect(statuses).toEqual([200, 409]);
    expect(await wasteMoves(id)).toHaveLength(1);
    expect(await onHand()).toBe(before - 12);
    expect((await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: BigInt(id) } })).status).toBe('booked');
  }
});

it('answers 404 for an unknown hold or one of another store, 400 without a request id, 403 for a store not yours', async () => {
  const other = await holdWaste('liqiang', 'm2');
  const { id } = await holdWaste();
  expect((await decide(boss, '999999', 'approve')).status).toBe(404);
  expect((await decide(boss, 'abc', 'approve')).status).toBe(404);
  // S2's hold through S1's path (east may see both stores): as unknown as a missing one.
  expect((await decide(east, other.id, 'approve', rid(), 'S1')).status).toBe(404);
  expect((await decide(boss, id, 'done')).status).toBe(404);
  const missing = await decide(boss, id, 'approve', null);
  expect(missing.status).toBe(400);
  expect(await json(missing)).toMatchObject({ error: 'bad_request_id', message: '缺少请求编号，请刷新页面。' });
  expect((await decide(boss, id, 'approve', 'x')).status).toBe(400);
  expect((await boss.post(`/console/api/stores/S1/loss-holds/${id}/approve`, { requestId: rid() }, { 'x-csrf-token': '' })).status).toBe(403);
  expect((await decide(m2, id, 'approve')).status).toBe(403);
  expect((await decide(boss, other.id, 'approve', rid(), 'S2')).status).toBe(403);
  expect(await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: BigInt(id) } })).toMatchObject({ status: 'pending', managerApprovedAt: null });
  expect(await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: BigInt(other.id) } })).toMatchObject({ status: 'pending', managerApprovedAt: null });
});
