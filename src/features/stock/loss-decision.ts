import type { Messaging } from '../../bot/context';
import type { Clock } from '../../clock';
import type { Config } from '../../config';
import type { DbTx } from '../../db';
import type { StockLossHold } from '../../generated/prisma/client';
import { markReviewCards } from './loss-cards';
import { bookHold, close, currentStatus, describe, lockHoldIfAny, SETTLED_TEXT } from './loss-holds';
import { managesStore } from '../../people';

export type HoldDecision = 'approve' | 'reject';

export interface HoldDecisionInput {
  /** The hold's id as the card key or the console's path names it. */
  holdId: string;
  decision: HoldDecision;
  /** The acting manager's WeCom userid: they decide only if managesStore says they manage the hold's store. */
  by: string;
  /** What carried the decision (`chat:<inbound id>`, `console:<userid>:<request id>`): the same ref again gets the same answer, nothing done twice. */
  ref: string;
  /** The console names the store in its path: a hold of another store is as unknown as a missing one. */
  storeCode?: string;
  /** For the task's history: the inbound message (the chat path), a note (`管理台`). */
  inboundId?: string;
  note?: string;
  /** The decision is a tap on a card: that card is rewritten through messaging.updateCard, the other review cards from the outbox. */
  tappedCard?: { taskId?: string };
}

export type HoldDecisionResult =
  | { ok: true; state: 'approved' | 'booked' | 'rejected'; message: string; repeated: boolean; hold: StockLossHold }
  | { ok: false; status: 403 | 404 | 409; code: 'not_manager' | 'unknown_hold' | 'already_decided'; message: string };

export interface HoldDecisionEnv {
  /** The caller's transaction: the decision, the move, the task and the messages commit together. */
  db: DbTx;
  clock: Clock;
  config: Config;
  /** How the staff member (send) and a tapped card (updateCard) are told; replies are the caller's (the result's message). */
  messaging: Pick<Messaging, 'send' | 'updateCard'>;
}

/**
 * A manager approves or rejects a held waste entry — from a card in chat or from the console, the
 * same way. Under the hold's row lock: only a store manager of the hold's store, an area manager of
 * its area or an admin (managesStore) may decide; a hold already decided (booked, cancelled, void,
 * or approved already) is refused, so two decisions at once book one move. Approving books the
 * waste if the staff member has confirmed its reason (bookMove, which runs the after-move rules; the task closed),
 * otherwise waits for that; rejecting cancels it, nothing booked. The staff member is told in chat
 * and the managers' review cards are rewritten. Nothing is written when refused, but a hold whose
 * task expired is made void.
 */
export async function decideHold(env: HoldDecisionEnv, input: HoldDecisionInput): Promise<HoldDecisionResult> {
  const { db, clock, messaging } = env;
  const unknown = { ok: false, status: 404, code: 'unknown_hold', message: '找不到这笔报损。' } as const;
  const hold = /^\d+$/.test(input.holdId) ? await lockHoldIfAny(db, BigInt(input.holdId)) : null;
  if (!hold || (input.storeCode !== undefined && hold.storeCode !== input.storeCode)) return unknown;
  if (!(await managesStore(db, { userid: input.by }, hold.storeCode))) {
    return { ok: false, status: 403, code: 'not_manager', message: `只有这家店的店长（或区域经理）可以${input.decision === 'approve' ? '批准' : '驳回'}。` };
  }
  const marks = (label: string) => markReviewCards(env, hold, label, input.tappedCard);
  // The same request again (a retry after a lost answer, a double tap): the answer it got, nothing done twice.
  if (hold.decisionRef === input.ref && hold.status !== 'expired' && (input.decision === 'reject') === (hold.status === 'cancelled')) {
    const state = hold.status === 'booked' ? 'booked' : hold.status === 'cancelled' ? 'rejected' : 'approved';
    return { ok: true, state, message: `${DECIDED_TEXT[state]}：${await describe(db, hold)}`, repeated: true, hold };
  }
  const status = await currentStatus(db, hold, clock.now());
  if (status !== 'pending') {
    if (input.tappedCard) await messaging.updateCard({ replaceName: SETTLED_TEXT[status].label });
    return { ok: false, status: 409, code: 'already_decided', message: SETTLED_TEXT[status].reply };
  }
  if (hold.managerApprovedAt) {
    if (input.tappedCard) await messaging.updateCard({ replaceName: '已批准' });
    return { ok: false, status: 409, code: 'already_decided', message: '这笔报损店长已经批准了，等店员确认原因后记账。' };
  }
  const now = clock.now();
  const what = await describe(db, hold);
  if (input.decision === 'reject') {
    const rejected = await close(db, hold, { status: 'cancelled', by: input.by, now, decisionRef: input.ref, managerUserid: input.by, inboundId: input.inboundId, note: input.note });
    await marks('已驳回');
    await messaging.send(hold.staffUserid, `店长驳回了你的报损，没有记账：${what}。如有疑问请当面核对。`);
    return { ok: true, state: 'rejected', message: `已驳回，没有记账：${what}`, repeated: false, hold: rejected };
  }
  // Conditional on what the lock saw: a second decision can never approve it again.
  const claimed = await db.stockLossHold.updateMany({
    where: { id: hold.id, status: 'pending', managerApprovedAt: null },
    data: { managerUserid: input.by, managerApprovedAt: now, decisionRef: input.ref },
  });
  if (claimed.count !== 1) return { ok: false, status: 409, code: 'already_decided', message: '这笔报损已经处理过了。' };
  const approved = await db.stockLossHold.findUniqueOrThrow({ where: { id: hold.id } });
  if (!approved.staffConfirmedAt) {
    await marks('已批准，待店员确认');
    await messaging.send(approved.staffUserid, `店长已批准你的报损，请在卡片上选择原因并确认（或直接回复原因，如「过期」）：${what}`);
    return { ok: true, state: 'approved', message: `已批准，店员确认原因后记账：${what}`, repeated: false, hold: approved };
  }
  await marks('已批准');
  const booked = await bookHold(env, approved, { by: input.by, inboundId: input.inboundId, note: input.note });
  await messaging.send(approved.staffUserid, `店长已批准，报损已记账。${booked}`);
  return { ok: true, state: 'booked', message: `已批准。${booked}`, repeated: false, hold: await db.stockLossHold.findUniqueOrThrow({ where: { id: hold.id } }) };
}

const DECIDED_TEXT = { approved: '已批准，店员确认原因后记账', booked: '已批准，已记账', rejected: '已驳回，没有记账' } as const;
