import crypto from 'node:crypto';
import type { BotContext, Messaging } from '../../../src/bot/context';
import { UserFacingError } from '../../../src/bot/errors';
import { signSync, syncSigningString } from '../../../src/edge/sync';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { undoLastMove } from '../../../src/features/stock/undo';
import { tasksFeature } from '../../../src/features/tasks';
import { createLogger } from '../../../src/log';
import { visibleText } from '../../../src/platform/sender';
import type { WecomClient } from '../../../src/platform/wecom-client';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { textMessage } from '../../helpers/wecom-callback';
import { stockChat } from './chat';

/**
 * `撤销` and the card's 撤销这一笔: the sender's own newest move, within STOCK_UNDO_MINUTES, once,
 * named in the answer; an undone receipt leaves its delivery notice open only for what no receipt
 * covers and never leads to booking the same goods twice; a held waste is cancelled.
 */
const ERP_SECRET = 'erp-secret-0123456789';
const clock = new TestClock(Date.parse('2026-11-25T01:00:00Z')); // 09:00 in Shanghai
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature, tasksFeature], clock, env: { SYNC_KEYS: `erp:${ERP_SECRET}` } });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nliqiang,李强,S1,店员\nahua,阿华,S1,店员\nboss,王店长,S1,店长\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\nMANGO,芒果,,水果,个,箱=10,3\n', 'csv');
  await importMasterData(db, 'sku-settings', 'store,sku,safety_stock,max_daily_loss\nS1,MILK,0,5\n', 'csv');
}, 60_000);
afterAll(() => h.stop());

/**
 * `hh:mm` in Shanghai on the 25th + `day`, as ISO text. Each case has days of its own: three apart
 * where notices are open, as a receipt fills notices expected up to 48 hours before it.
 */
const localTime = (day: number, time: string) => `${new Date(Date.UTC(2026, 10, 25 + day)).toISOString().slice(0, 10)}T${time}:00+08:00`;
/** Moves the clock to that moment. */
function at(day: number, time: string): void {
  const target = Date.parse(localTime(day, time));
  if (target < clock.now().getTime()) throw new Error(`the clock is past ${day} ${time}`);
  clock.advance(target - clock.now().getTime());
}
const say = async (user: string, text: string) => visibleText((await chat.say(user, text)).body.content);
const reversals = () => h.app.db.stockMove.count({ where: { kind: 'reversal' } });
const onHand = (sku: string) => chat.onHand('S1', sku);
const lastText = (user: string) => visibleText(h.fake.inbox(user).at(-1)!.body.content);

it('names the move it undoes: its kind, the quantity as it was entered, and when', async () => {
  at(0, '10:05');
  await chat.say('xiaomei', '入库 奶油 2箱');
  expect(await say('xiaomei', '撤销')).toBe('已撤销：入库 奶油 2箱（24盒），10:05 记的。一店 奶油 现有 0盒');
  await chat.say('xiaomei', '入库 牛奶 1箱');
  at(0, '10:07');
  await chat.say('xiaomei', '报损 牛奶 2盒 过期');
  // A waste is named as the person typed it, not as the signed ledger quantity (-2).
  expect(await say('xiaomei', '撤销')).toBe('已撤销：报损 牛奶 2盒，10:07 记的。一店 牛奶 现有 12盒');
});

it('undoes the newest move only: a second 撤销 says it is undone already instead of walking back', async () => {
  at(1, '10:00');
  await chat.say('liqiang', '入库 奶油 1箱');
  at(1, '10:01');
  await chat.say('liqiang', '入库 牛奶 2盒');
  const before = await reversals();
  expect(await say('liqiang', '撤销')).toBe('已撤销：入库 牛奶 2盒，10:01 记的。一店 牛奶 现有 12盒');
  expect(await say('liqiang', '撤销')).toBe('上一笔已经撤销过了：入库 牛奶 2盒，10:01 记的。更早的记录不能用「撤销」撤回；记错了请找店长核对，或在盘点时更正。');
  expect(await say('liqiang', '撤销')).toContain('上一笔已经撤销过了');
  expect(await reversals()).toBe(before + 1);
  expect(await onHand('CREAM')).toBe(12);
});

it('never undoes another person’s move, in chat or on their card', async () => {
  at(2, '10:00');
  const card = await chat.say('xiaomei', '入库 奶油 1箱');
  expect(await say('ahua', '撤销')).toBe('你还没有记过账，没有可以撤销的。');
  expect(visibleText((await chat.tap('ahua', card, '撤销这一笔')).body.content)).toBe('只能撤销你自己记的这一笔。');
  expect(await onHand('CREAM')).toBe(24);
});

it('refuses outside STOCK_UNDO_MINUTES, in chat and on the card, naming the move and what to do', async () => {
  at(3, '10:00');
  const card = await chat.say('xiaomei', '入库 奶油 1箱');
  at(3, '10:11');
  const refusal = '是入库 奶油 1箱（12盒），10:00 记的，已超过 10 分钟，不能撤销了。记错了请找店长核对，或在盘点时更正。';
  expect(await say('xiaomei', '撤销')).toBe(`上一笔${refusal}`);
  expect(visibleText((await chat.tap('xiaomei', card, '撤销这一笔')).body.content)).toBe(`这一笔${refusal}`);
  expect(h.fake.cardView(String(card.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已过撤销时限' });
  expect(await onHand('CREAM')).toBe(36);
});

it('undoes the card’s own move from its button, once, with the same answer as in chat', async () => {
  at(4, '10:00');
  const cream = await chat.say('xiaomei', '入库 奶油 1箱');
  await chat.say('xiaomei', '入库 牛奶 1箱');
  at(4, '10:03');
  expect(visibleText((await chat.tap('xiaomei', cream, '撤销这一笔')).body.content)).toBe('已撤销：入库 奶油 1箱（12盒），10:00 记的。一店 奶油 现有 36盒');
  expect(h.fake.cardView(String(cream.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已撤销' });
  // The newest move is still the milk.
  expect(await say('xiaomei', '撤销')).toBe('已撤销：入库 牛奶 1箱（12盒），10:00 记的。一店 牛奶 现有 12盒');
  expect(visibleText((await chat.tap('xiaomei', cream, '撤销这一笔')).body.content)).toMatch(/^这一笔已经撤销过了：入库 奶油 1箱（12盒），10:00 记的。/);
  expect(await onHand('CREAM')).toBe(36);
});

const now = () => Math.floor(clock.now().getTime() / 1000);
function postNotice(id: string, day: number, lines: { sku: string; quantity: number; unit?: string }[]) {
  const text = JSON.stringify([{ id, store: 'S1', expected_at: localTime(day, '10:00'), lines }]);
  const timestamp = String(now());
  const nonce = crypto.randomUUID();
  const signature = signSync(ERP_SECRET, syncSigningString(timestamp, nonce, 'POST', '/api/sync/deliveries', text));
  return fetch(`${h.url}/api/sync/deliveries`, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json', 'x-sync-source': 'erp', 'x-sync-timestamp': timestamp, 'x-sync-nonce': nonce, 'x-sync-signature': signature },
  });
}
const notice = (id: string) => h.app.db.stockDelivery.findUniqueOrThrow({ where: { id }, include: { lines: true } });
const runJob = async (name: string) => {
  await h.app.scheduler.runJob(
    h.app.bot.jobs.find((j) => j.name === name)!,
    clock.now(),
  );
  await h.settle();
};
const lateTask = (id: string) => h.app.db.task.findUnique({ where: { kind_sourceRef: { kind: 'stock.lateDelivery', sourceRef: `delivery:${id}` } } });

it('reopens the delivery notice an undone receipt filled, says to book it only if the goods came, and no chase card books it blindly', async () => {
  at(5, '09:00');
  expect((await postNotice('ERP-U1', 5, [{ sku: 'MANGO', quantity: 2, unit: '箱' }])).status).toBe(200);
  at(5, '10:05');
  await chat.say('xiaomei', '入库 芒果 2箱');
  expect((await notice('ERP-U1')).bookedAt).not.toBeNull();
  expect(await say('xiaomei', '撤销')).toBe(
    ['已撤销：入库 芒果 2箱（20个），10:05 记的。一店 芒果 现有 0个', '到货单 ERP-U1 又变为未入库（还差 芒果 20个）。货确实到了才需要再记：按实际收到的数量发「入库 芒果 数量」；没到就不用记。'].join(
      '\n',
    ),
  );
  expect(await notice('ERP-U1')).toMatchObject({ bookedAt: null, lines: [expect.objectContaining({ bookedQuantity: expect.anything() })] });
  expect((await notice('ERP-U1')).lines[0].bookedQuantity.toNumber()).toBe(0);

  // Late now: chased, but its card offers no 入库 that would book the notice's figures again.
  at(5, '12:10');
  await runJob('stock.chaseLateDeliveries');
  const task = await lateTask('ERP-U1');
  expect(task).toMatchObject({ state: 'open', actions: [] });
  expect(task!.detail).toContain('这张到货单的入库被撤销过。货确实到了才需要再记：按实际收到的数量发「入库 芒果 数量」；没到就不用记。');
  await runJob('tasks.walkDue');
  const cards = ['xiaomei', 'liqiang', 'ahua', 'boss'].flatMap((u) => h.fake.inbox(u)).filter((m) => m.msgtype === 'template_card' && JSON.stringify(m.body).includes('ERP-U1'));
  expect(cards.length).toBeGreaterThan(0);
  expect(JSON.stringify(cards)).not.toContain('stock.bookDelivery');
  // Nor does the count that must wait for it.
  expect(await say('boss', '开始盘点')).toContain('到货单 ERP-U1 已到货还没入库：芒果 20个（入库被撤销过。货确实到了才需要再记：按实际收到的数量发「入库 芒果 数量」；没到就不用记。）');

  // What really came is booked as typed and fills the notice that far.
  await chat.say('xiaomei', '入库 芒果 18个');
  expect((await notice('ERP-U1')).lines[0].bookedQuantity.toNumber()).toBe(18);
  expect(await onHand('MANGO')).toBe(18);
});

it('refuses the 入库 button of a chase card sent before someone undid a receipt of the notice', async () => {
  at(8, '09:00');
  await postNotice('ERP-U2', 8, [{ sku: 'MANGO', quantity: 1, unit: '箱' }]);
  at(8, '12:05');
  await runJob('stock.chaseLateDeliveries');
  await runJob('tasks.walkDue');
  const card = h.fake.inbox('boss').find((m) => m.msgtype === 'template_card' && JSON.stringify(m.body).includes('stock.bookDelivery:ERP-U2'))!;
  expect(card).toBeDefined();
  await chat.say('xiaomei', '入库 芒果 5个');
  await chat.say('xiaomei', '撤销');
  const before = await onHand('MANGO');
  expect(visibleText((await chat.tap('boss', card, '入库')).body.content)).toBe(
    '到货单 ERP-U2 的入库被撤销过，不能一键按到货单入库。货确实到了才需要再记：按实际收到的数量发「入库 芒果 数量」；没到就不用记。',
  );
  expect(await onHand('MANGO')).toBe(before);
  expect((await notice('ERP-U2')).bookedAt).toBeNull();
});

it('keeps a notice booked when the undone receipt was a second booking of the same goods', async () => {
  at(11, '09:00');
  await postNotice('ERP-U3', 11, [{ sku: 'MANGO', quantity: 1, unit: '箱' }]);
  at(11, '10:05');
  const first = await chat.say('liqiang', '入库 芒果 1箱'); // fills the notice
  await chat.say('liqiang', '入库 芒果 1箱'); // the same goods again: stock, matching nothing
  const stock = await onHand('MANGO');
  // Undoing the first leaves the second standing for the notice: it is not reopened, nothing asks for it.
  expect(visibleText((await chat.tap('liqiang', first, '撤销这一笔')).body.content)).toBe(`已撤销：入库 芒果 1箱（10个），10:05 记的。一店 芒果 现有 ${stock - 10}个`);
  const booked = await notice('ERP-U3');
  expect(booked.bookedAt).toEqual(new Date(localTime(11, '10:05')));
  expect(booked.lines[0].bookedQuantity.toNumber()).toBe(10);
  at(11, '12:10');
  await runJob('stock.chaseLateDeliveries');
  expect(await lateTask('ERP-U3')).toBeNull();
});

it('cancels a held waste on 撤销: its task cancelled, the manager’s card rewritten, and no walking back after', async () => {
  at(14, '09:00');
  await chat.say('liqiang', '入库 牛奶 5箱');
  at(14, '09:58');
  await chat.say('xiaomei', '入库 奶油 1箱');
  at(14, '10:00');
  expect((await chat.say('xiaomei', '报损 牛奶 1箱 过期')).body).toMatchObject({ main_title: { title: '报损待确认：牛奶 12盒' } });
  const hold = await h.app.db.stockLossHold.findFirstOrThrow({ orderBy: { id: 'desc' } });
  expect(hold.needsManager).toBe(true);
  const review = h.fake.inbox('boss').find((m) => JSON.stringify(m.body).includes(`stock.lossApprove:${hold.id}`))!;
  expect(review).toBeDefined();
  at(14, '10:02');
  expect(await say('xiaomei', '撤销')).toBe('已撤销：报损 牛奶 12盒（过期），10:00 报的。它超出今日上限还在等审核，没有记账；现在已取消，店长那边也不用再批了。');
  expect((await h.app.db.stockLossHold.findUniqueOrThrow({ where: { id: hold.id } })).status).toBe('cancelled');
  expect(await h.app.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'stock.lossHold', sourceRef: `loss-hold:${hold.id}` } } })).toMatchObject({ state: 'cancelled' });
  expect(h.fake.cardView(String(review.body.task_id), 'boss')).toMatchObject({ replacedName: '店员已取消' });
  expect(lastText('boss')).toBe('店员取消了待批准的报损：牛奶 12盒（过期）');
  const stock = await onHand('CREAM');
  expect(await say('xiaomei', '撤销')).toBe('上一笔报损 牛奶 12盒，10:00 报的，已经取消，没有记账，不用再撤销。更早的记录不能用「撤销」撤回；记错了请找店长核对，或在盘点时更正。');
  expect(await onHand('CREAM')).toBe(stock);
});

it('undoes one move when the same person’s 撤销 arrive together: sent twice and tapped at once', async () => {
  at(17, '10:00');
  const card = await chat.say('xiaomei', '入库 奶油 1箱');
  const move = await h.app.db.stockMove.findFirstOrThrow({ where: { staffUserid: 'xiaomei' }, orderBy: { id: 'desc' } });
  at(17, '10:01');
  const inbox = h.fake.inbox('xiaomei').length;
  await Promise.all([
    h.deliver(textMessage(h.keys, 'xiaomei', '撤销', { createTime: now() }), { timestamp: String(now()) }),
    h.deliver(textMessage(h.keys, 'xiaomei', '撤销', { createTime: now() }), { timestamp: String(now()) }),
    chat.tap('xiaomei', card, '撤销这一笔'),
  ]);
  await h.settle();
  expect(await h.app.db.stockMove.count({ where: { reversesId: move.id } })).toBe(1);
  const answers = h.fake
    .inbox('xiaomei')
    .slice(inbox)
    .filter((m) => m.msgtype === 'text')
    .map((m) => visibleText(m.body.content));
  expect(answers.filter((a) => a.startsWith('已撤销：入库 奶油 1箱（12盒）'))).toHaveLength(1);
  expect(answers.filter((a) => a.includes('已经撤销过了：入库 奶油 1箱（12盒）'))).toHaveLength(2);
});

/** A handler context for `撤销` from `userid`, as the processor builds it, recording the answer. */
async function undoContext(userid: string, answers: string[]): Promise<BotContext> {
  const messaging: Messaging = { reply: async (content) => void answers.push(String(content)), send: async () => {}, updateCard: async () => {} };
  return {
    message: { id: '0', dedupeKey: crypto.randomUUID(), msgType: 'text', fromUser: userid, createTime: now(), content: '撤销' },
    staff: await h.app.db.staff.findUnique({ where: { userid } }),
    log: createLogger('silent'),
    db: h.app.db,
    clock,
    config: h.app.config,
    wecom: {} as WecomClient,
    args: '',
    match: null,
    keyArg: '',
    ...messaging,
    transaction: (fn) => h.app.db.$transaction((tx) => fn({ db: tx, ...messaging }), { maxWait: 15_000 }),
  };
}

it('undoes one move when two 撤销 of one person run at the same moment (a replica taking over a message)', async () => {
  at(20, '10:00');
  await chat.say('ahua', '入库 奶油 1箱');
  const move = await h.app.db.stockMove.findFirstOrThrow({ where: { staffUserid: 'ahua' }, orderBy: { id: 'desc' } });
  const answers: string[] = [];
  const run = async () => {
    try {
      await undoLastMove(await undoContext('ahua', answers));
    } catch (err) {
      if (!(err instanceof UserFacingError)) throw err;
      answers.push(err.staffMessage);
    }
  };
  await Promise.all([run(), run()]);
  expect(await h.app.db.stockMove.count({ where: { reversesId: move.id } })).toBe(1);
  expect(answers.sort()).toEqual([expect.stringMatching(/^上一笔已经撤销过了：入库 奶油 1箱（12盒）/), expect.stringMatching(/^已撤销：入库 奶油 1箱（12盒）/)]);
});
