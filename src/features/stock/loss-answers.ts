import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { DbTx } from '../../db';
import type { StockLossHold } from '../../generated/prisma/client';
import { ackTask } from '../tasks';
import { LOSS_REASONS, markCard, markReviewCards, reasonOptions } from './loss-cards';
import { decideHold, type HoldDecision } from './loss-decision';
import { bookHold, close, currentStatus, describe, hasTask, holdTask, lockHold, SETTLED_TEXT, type Tx } from './loss-holds';
import { managesStore, nearestManagerIds } from '../../people';
import { STOCK_ERRORS } from './keys';

/**
 * The sender's and the managers' answers to a held waste in chat: the review cards' buttons, the
 * hold's task card, a reason typed as the next message, and 撤销 of a hold (undo.ts).
 */

/**
 * 确认报损 on the staff card, or on the hold's task card: the reason is the one selected (or typed
 * with the message). A store manager tapping it on the escalated task card approves it.
 */
export async function confirmLoss(ctx: BotContext): Promise<void> {
  await ctx.transaction(async (tx) => {
    const hold = await lockHold(tx.db, ctx.keyArg);
    if (hold.staffUserid !== ctx.message.fromUser && (await managesStore(tx.db, { userid: ctx.message.fromUser }, hold.storeCode))) return decideFromChat(tx, ctx, 'approve');
    if (hold.staffUserid !== ctx.message.fromUser) throw new UserFacingError(STOCK_ERRORS.notYourMove, '只能确认你自己报的损耗。');
    const picked = ctx.message.card?.selections.find((s) => s.questionKey === 'reason')?.optionIds[0];
    await confirmHold(tx, ctx, hold, picked ? reasonOptions(hold).find((o) => o.id === picked)?.text : undefined);
  });
}

/** 取消 on the staff card or the hold's task card: nothing is booked. A store manager's tap on the task card rejects it. */
export async function cancelLoss(ctx: BotContext): Promise<void> {
  await ctx.transaction(async (tx) => {
    const hold = await lockHold(tx.db, ctx.keyArg);
    if (hold.staffUserid !== ctx.message.fromUser && (await managesStore(tx.db, { userid: ctx.message.fromUser }, hold.storeCode))) return decideFromChat(tx, ctx, 'reject');
    if (hold.staffUserid !== ctx.message.fromUser) throw new UserFacingError(STOCK_ERRORS.notYourMove, '只能取消你自己报的损耗。');
    await cancelHold(tx, ctx, hold);
  });
}

/** 批准 on the manager card. */
export async function approveLoss(ctx: BotContext): Promise<void> {
  await ctx.transaction((tx) => decideFromChat(tx, ctx, 'approve'));
}

/** 驳回 on the manager card: nothing is booked, and the staff member is told. */
export async function rejectLoss(ctx: BotContext): Promise<void> {
  await ctx.transaction((tx) => decideFromChat(tx, ctx, 'reject'));
}

/** A manager's tap (their review card, or the hold's escalated task card): decideHold, answered in chat. */
async function decideFromChat(tx: Tx, ctx: BotContext, decision: HoldDecision): Promise<void> {
  const result = await decideHold(
    { db: tx.db, clock: ctx.clock, config: ctx.config, messaging: tx },
    {
      holdId: ctx.keyArg,
      decision,
      by: ctx.message.fromUser,
      ref: `chat:${ctx.message.id}`,
      inboundId: ctx.message.id,
      tappedCard: ctx.message.card?.responseCode ? { taskId: ctx.message.card.taskId } : undefined,
    },
  );
  if (result.ok) return tx.reply(result.message);
  if (result.code === 'not_manager') throw new UserFacingError(STOCK_ERRORS.notManager, result.message);
  if (result.code === 'unknown_hold') throw new UserFacingError(STOCK_ERRORS.unknownHold, result.message);
  await tx.reply(result.message);
}

/**
 * What answers a hold waiting for its sender: `过期了`, `确认 过期`, `确认 打翻了`, `确认` (the
 * reason typed with the entry), `取消`. A bare word must be one of the offered reasons, so a
 * stray `好的` is not taken for one; after `确认` any short reason goes.
 */
export const HOLD_ANSWER = new RegExp(`^(?:(取消)(?:报损)?|确认(?:报损)?(?:\\s*(\\S.{0,15}))?|(${LOSS_REASONS.join('|')})[了的]?)$`);

/** The newest hold of the sender still waiting for their confirmation, if any. */
async function holdAwaitingSender(db: DbTx, userid: string): Promise<StockLossHold | null> {
  return db.stockLossHold.findFirst({ where: { staffUserid: userid, status: 'pending', staffConfirmedAt: null }, orderBy: { id: 'desc' } });
}

/** Whether this person has a held waste waiting for their reason (the route's guard). */
export async function hasHoldAwaitingReason(ctx: BotContext): Promise<boolean> {
  return (await holdAwaitingSender(ctx.db, ctx.message.fromUser)) !== null;
}

/** The next message after a hold (HOLD_ANSWER) confirms it with that reason, or cancels it. */
export async function answerHoldByMessage(ctx: BotContext): Promise<void> {
  const [, cancel, afterConfirm, bareReason] = ctx.match!;
  await ctx.transaction(async (tx) => {
    const newest = await holdAwaitingSender(tx.db, ctx.message.fromUser);
    if (!newest) throw new UserFacingError(STOCK_ERRORS.unknownHold, '没有等你确认的报损。');
    const hold = await lockHold(tx.db, String(newest.id));
    if (cancel) return cancelHold(tx, ctx, hold);
    await confirmHold(tx, ctx, hold, afterConfirm?.trim() || bareReason || undefined);
  });
}

async function confirmHold(tx: Tx, ctx: BotContext, hold: StockLossHold, given: string | undefined): Promise<void> {
  if (await settled(tx, ctx, hold)) return;
  const reason = given ?? hold.reason ?? undefined;
  if (!reason) throw new UserFacingError(STOCK_ERRORS.lossReasonMissing, '请先选择报损原因再确认：在卡片上选，或直接回复原因，例如「过期」。');
  const now = ctx.clock.now();
  const confirmed = await tx.db.stockLossHold.update({ where: { id: hold.id }, data: { reason, staffConfirmedAt: now } });
  if (confirmed.needsManager && !confirmed.managerApprovedAt) {
    // The sender has done their part: no more reminders to them; the manager has the approval card.
    if (await hasTask(tx.db, hold)) await ackTask(tx.db, holdTask(hold), { by: ctx.message.fromUser, inboundId: ctx.message.id, now });
    await markCard(tx, ctx, hold, '已确认，待店长批准');
    await tx.reply(`已确认报损原因「${reason}」，店长批准后记账。`);
    return;
  }
  await markCard(tx, ctx, hold, '已确认');
  await tx.reply(await bookHold({ db: tx.db, clock: ctx.clock, config: ctx.config }, confirmed, { by: ctx.message.fromUser, inboundId: ctx.message.id }));
  if (confirmed.managerUserid) await tx.send(confirmed.managerUserid, `店员已确认，报损已记账：${await describe(tx.db, confirmed)}`);
}

/**
 * The sender takes the held waste back (取消, or 撤销 while it is their newest entry): nothing is
 * booked, its task is cancelled, and the managers' review cards say so, since there is nothing
 * left for them to approve. `answer` words the reply from the hold's description.
 */
async function cancelHold(tx: Tx, ctx: BotContext, hold: StockLossHold, answer = (what: string) => `已取消，没有记账：${what}`): Promise<void> {
  if (await settled(tx, ctx, hold)) return;
  await close(tx.db, hold, { status: 'cancelled', by: ctx.message.fromUser, now: ctx.clock.now(), inboundId: ctx.message.id });
  await markCard(tx, ctx, hold, '已取消');
  const what = await describe(tx.db, hold);
  await tx.reply(answer(what));
  if (hold.needsManager) {
    await markReviewCards({ db: tx.db, clock: ctx.clock, messaging: tx }, hold, '店员已取消', undefined);
    await tx.send(await nearestManagerIds(tx.db, hold.storeCode), `店员取消了待批准的报损：${what}`);
  }
}

/** `撤销` when the sender's newest entry is a hold still waiting (see undo.ts): cancelled as by 取消. */
export async function cancelHoldByUndo(tx: Tx, ctx: BotContext, holdId: bigint, answer: (what: string) => string): Promise<void> {
  await cancelHold(tx, ctx, await lockHold(tx.db, String(holdId)), answer);
}

/**
 * A tap or answer for a hold already booked, cancelled or void changes nothing and says so. A
 * hold whose task has expired is void from then on, even before the sweep (expireConfirmations)
 * has got to it.
 */
async function settled(tx: Tx, ctx: BotContext, hold: StockLossHold): Promise<boolean> {
  const status = await currentStatus(tx.db, hold, ctx.clock.now());
  if (status === 'pending') return false;
  await markCard(tx, ctx, hold, SETTLED_TEXT[status].label);
  await tx.reply(SETTLED_TEXT[status].reply);
  return true;
}
