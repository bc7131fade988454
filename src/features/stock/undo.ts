import type { BotContext, Messaging } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { DbTx } from '../../db';
import type { StockLossHold, StockMove } from '../../generated/prisma/client';
import { chainDate, chainTimeText } from '../../timezone';
import { deliveriesReopenedBy } from './deliveries';
import { reopenedAdvice } from './delivery-matching';
import { bookMove, bookMoves } from './booking';
import { enteredQuantityText, format, onHand } from './ledger';
import { moveKindText } from './move-kinds';
import { cancelHoldByUndo } from './loss-answers';
import { requireStore } from './stores';
import { cancelTransfer } from './transfer-commands';
import { STOCK_ERRORS } from './keys';

/**
 * `撤销` in chat and 撤销这一笔 on a confirmation card: a person takes back their own last move
 * while it is fresh (STOCK_UNDO_MINUTES), with a reversing entry — the ledger is append-only. The
 * chat command takes the sender's newest entry only: after an undo, `撤销` again says that one is
 * undone already instead of walking back to the one before (which may be an older move the person
 * no longer has in mind). Never another person's move, never a reversal, and the answer names the
 * move (kind, SKU, quantity as entered, time). A waste still held for review is not in the ledger:
 * `撤销` cancels the hold. An entry is what one message booked: `入库 奶油2箱 牛奶3箱`, or a
 * production and the ingredients it took, is undone whole.
 */

type Tx = Messaging & { db: DbTx };

/** Why a move cannot be undone: the Chinese answer, and the label for the card it was tapped on. */
class UndoRefused extends UserFacingError {
  constructor(
    code: string,
    message: string,
    readonly cardLabel?: string,
  ) {
    super(code, message);
  }
}

/** `撤销 好像记错了 吗` asks about an undo; it is not one. */
const ASKS_WHETHER = /[吗嘛][\s?？!！。.]*$/u;

/** `撤销`: the sender's newest entry — a move, or a waste held for review. */
export async function undoLastMove(ctx: BotContext): Promise<void> {
  if (ASKS_WHETHER.test(ctx.args)) throw new UserFacingError(STOCK_ERRORS.undoQuestion, '没有撤销任何记录。要撤销你记的上一笔，请只发「撤销」。');
  await requireStore(ctx);
  await ctx.transaction(async (tx) => {
    await lockSender(tx, ctx.message.fromUser);
    const last = await newestEntry(tx.db, ctx.message.fromUser);
    if (!last) throw new UserFacingError(STOCK_ERRORS.nothingToUndo, '你还没有记过账，没有可以撤销的。');
    if ('dayLimit' in last) return undoHold(tx, ctx, last);
    await tx.reply(await undoMove(tx, ctx, last, '上一笔'));
  });
}

/** 撤销这一笔 on the card that confirmed a move: that move, under the same rules as `撤销`. */
export async function undoFromCard(ctx: BotContext): Promise<void> {
  try {
    await ctx.transaction(async (tx) => {
      await lockSender(tx, ctx.message.fromUser);
      const move = /^\d{1,18}$/.test(ctx.keyArg) ? await tx.db.stockMove.findUnique({ where: { id: BigInt(ctx.keyArg) } }) : null;
      if (!move || move.staffUserid !== ctx.message.fromUser) throw new UserFacingError(STOCK_ERRORS.notYourMove, '只能撤销你自己记的这一笔。');
      await tx.reply(await undoMove(tx, ctx, move, '这一笔'));
      await tx.updateCard({ replaceName: '已撤销' });
    });
  } catch (err) {
    // Refused: nothing was written, but the card should no longer offer what cannot be done.
    if (err instanceof UndoRefused && err.cardLabel) await ctx.updateCard({ replaceName: err.cardLabel });
    throw err;
  }
}

/**
 * Two 撤销 at once from one person (a double send, a chat message and a card tap, a replica
 * taking over a message) must undo one move: they queue on this lock, and the second finds the
 * move undone. A lock per person, not per move, because each decides *which* move is last.
 */
async function lockSender(tx: Tx, userid: string): Promise<void> {
  await tx.db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`stock.undo:${userid}`}))`;
}

/**
 * The sender's newest entry: their newest move that is not itself a reversal, or a waste they
 * entered later that is held for review (not yet booked; once booked, its move is the entry).
 */
async function newestEntry(db: DbTx, userid: string): Promise<StockMove | StockLossHold | null> {
  const move = await db.stockMove.findFirst({ where: { staffUserid: userid, kind: { not: 'reversal' } }, orderBy: { id: 'desc' } });
  const hold = await db.stockLossHold.findFirst({ where: { staffUserid: userid, status: { not: 'booked' } }, orderBy: { id: 'desc' } });
  if (hold && (!move || hold.createdAt > move.recordedAt)) return hold;
  return move;
}

/**
 * Reverses `move` if it may be undone, and returns the answer naming it; refusals are UndoRefused.
 * `which` is how the answer refers to it: the chat's 上一笔, the card's 这一笔.
 */
async function undoMove(tx: Tx, ctx: BotContext, move: StockMove, which: '上一笔' | '这一笔'): Promise<string> {
  const { db } = tx;
  const sku = await db.sku.findUniqueOrThrow({ where: { code: move.skuCode } });
  const what = describeMove(move, sku.baseUnit, sku.name, ctx);
  if (move.kind === 'reversal') throw new UndoRefused(STOCK_ERRORS.reversalFinal, `这一笔本身是撤销，不能再撤销。撤销错了就按实际数量重新记一笔。`, '已撤销');
  if (await db.stockMove.findUnique({ where: { reversesId: move.id }, select: { id: true } })) {
    throw new UndoRefused(STOCK_ERRORS.alreadyReversed, `${which}已经撤销过了：${what}。更早的记录不能用「撤销」撤回；记错了请找店长核对，或在盘点时更正。`, '已撤销');
  }
  if (move.kind === 'transfer_in') throw new UndoRefused(STOCK_ERRORS.transferReceivedFinal, '调拨确认收货后不能撤销。数量不对请联系调出门店，多收的再调拨回去，或请店长在盘点时调整。');
  if (move.kind === 'count_adjustment') throw new UndoRefused(STOCK_ERRORS.countAdjustmentFinal, '盘点调整不能撤销；如有错误，请店长再开一次盘点。');
  const minutes = ctx.config.stockChecks.undoMinutes;
  if (ctx.clock.now().getTime() - move.recordedAt.getTime() > minutes * 60_000) {
    throw new UndoRefused(STOCK_ERRORS.undoExpired, `${which}是${what}，已超过 ${minutes} 分钟，不能撤销了。记错了请找店长核对，或在盘点时更正。`, '已过撤销时限');
  }
  if (move.kind === 'transfer_out') return cancelTransfer(tx, ctx, move.id);
  const entry = await entryOf(db, move);
  if (entry.length > 1) return undoEntry(tx, ctx, entry);
  const now = ctx.clock.now();
  const booked = await bookMove(
    db,
    ctx.config,
    {
      storeCode: move.storeCode,
      skuCode: move.skuCode,
      kind: 'reversal',
      quantity: -move.quantity.toNumber(),
      reason: `撤销 #${move.id}`,
      staffUserid: ctx.message.fromUser,
      occurredAt: now,
      recordedAt: now,
      source: 'chat',
      externalId: `undo:${move.id}`,
      reversesId: move.id,
    },
    sku,
  );
  const store = await db.store.findUniqueOrThrow({ where: { code: move.storeCode } });
  const answer = [`已撤销：${what}。${store.name} ${sku.name} 现有 ${format(booked.onHand)}${sku.baseUnit}`];
  for (const delivery of await deliveriesReopenedBy(db, booked.id)) {
    const missing = delivery.lines.map((l) => `${l.skuName} ${format(l.missing)}${l.unit}`).join('、');
    answer.push(`到货单 ${delivery.id} 又变为未入库（还差 ${missing}）。${reopenedAdvice(delivery.lines[0]?.skuName ?? sku.name)}`);
  }
  return answer.join('\n');
}

/** Kinds one message may book several of (`入库 奶油2箱 牛奶3箱`, a production and its ingredients): undone together. */
const ENTRY_KINDS = new Set(['receipt', 'waste', 'return', 'production_in', 'production_out']);

/**
 * The moves one chat message booked (`chat:<inbound>` and `chat:<inbound>:<line>`) not yet
 * reversed, when they are all of kinds undone together; else the move alone.
 */
async function entryOf(db: DbTx, move: StockMove): Promise<StockMove[]> {
  const message = /^chat:(\d+)(?::.+)?$/.exec(move.externalId ?? '')?.[1];
  if (!message || !ENTRY_KINDS.has(move.kind)) return [move];
  const moves = await db.stockMove.findMany({
    where: { staffUserid: move.staffUserid, OR: [{ externalId: `chat:${message}` }, { externalId: { startsWith: `chat:${message}:` } }], reversedBy: { is: null } },
    orderBy: { id: 'asc' },
  });
  return moves.every((m) => ENTRY_KINDS.has(m.kind)) ? moves : [move];
}

/** Reverses every move of one message in one set-based booking, and names each with its new on-hand. */
async function undoEntry(tx: Tx, ctx: BotContext, moves: StockMove[]): Promise<string> {
  const { db } = tx;
  const now = ctx.clock.now();
  const skus = new Map((await db.sku.findMany({ where: { code: { in: moves.map((m) => m.skuCode) } } })).map((s) => [s.code, s]));
  await bookMoves(
    db,
    ctx.config,
    moves.map((m) => ({
      storeCode: m.storeCode,
      skuCode: m.skuCode,
      kind: 'reversal' as const,
      quantity: -m.quantity.toNumber(),
      reason: `撤销 #${m.id}`,
      staffUserid: ctx.message.fromUser,
      occurredAt: now,
      recordedAt: now,
      source: 'chat' as const,
      externalId: `undo:${m.id}`,
      reversesId: m.id,
    })),
    new Map([...skus].map(([code, s]) => [code, { baseUnit: s.baseUnit, allowNegative: s.allowNegative }])),
    now,
  );
  const store = await db.store.findUniqueOrThrow({ where: { code: moves[0].storeCode } });
  const answer = [`已撤销这条消息记的 ${moves.length} 笔（${whenText(moves[0].recordedAt, ctx)}记的）：`];
  for (const m of moves) {
    const sku = skus.get(m.skuCode)!;
    answer.push(`· ${moveKindText(m.kind)} ${sku.name} ${enteredQuantityText(m, sku.baseUnit)}，现有 ${format(await onHand(db, store.code, m.skuCode))}${sku.baseUnit}`);
  }
  const reversals = await db.stockMove.findMany({ where: { externalId: { in: moves.map((m) => `undo:${m.id}`) } }, select: { id: true } });
  for (const r of reversals) {
    for (const delivery of await deliveriesReopenedBy(db, r.id)) {
      const missing = delivery.lines.map((l) => `${l.skuName} ${format(l.missing)}${l.unit}`).join('、');
      answer.push(`到货单 ${delivery.id} 又变为未入库（还差 ${missing}）。${reopenedAdvice(delivery.lines[0]?.skuName ?? '')}`);
    }
  }
  return answer.join('\n');
}

/** `入库 奶油 2箱（24盒），10:05 记的`: what the person entered and when, in the chain's time. */
function describeMove(move: StockMove, baseUnit: string, skuName: string, ctx: BotContext): string {
  return `${moveKindText(move.kind)} ${skuName} ${enteredQuantityText(move, baseUnit)}，${whenText(move.recordedAt, ctx)}记的`;
}

/** `10:05 ` today, `11月24日 18:30 ` another day. */
function whenText(at: Date, ctx: BotContext): string {
  const { timezone } = ctx.config;
  return `${chainTimeText(at, timezone, { timeOnly: chainDate(at, timezone) === chainDate(ctx.clock.now(), timezone) })} `;
}

/** The newest entry is a waste held for review: pending, it is cancelled; settled, that is the answer. */
async function undoHold(tx: Tx, ctx: BotContext, hold: StockLossHold): Promise<void> {
  const when = whenText(hold.createdAt, ctx);
  if (hold.status === 'pending') {
    return cancelHoldByUndo(tx, ctx, hold.id, (what) => `已撤销：报损 ${what}，${when}报的。它超出今日上限还在等审核，没有记账；现在已取消${hold.needsManager ? '，店长那边也不用再批了' : ''}。`);
  }
  const sku = await tx.db.sku.findUniqueOrThrow({ where: { code: hold.skuCode } });
  const what = `报损 ${sku.name} ${format(hold.quantity)}${sku.baseUnit}，${when}报的`;
  throw new UserFacingError(
    STOCK_ERRORS.alreadyReversed,
    `上一笔${what}，${hold.status === 'cancelled' ? '已经取消' : '没有及时确认，已作废'}，没有记账，不用再撤销。更早的记录不能用「撤销」撤回；记错了请找店长核对，或在盘点时更正。`,
  );
}
