import type { BotContext, Messaging } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { Clock } from '../../clock';
import type { Config } from '../../config';
import type { Db, DbTx } from '../../db';
import { Prisma, type StockLossHold } from '../../generated/prisma/client';
import type { Logger } from '../../log';
import { cancelUnsent, enqueue, relabelSentCards } from '../../platform/outbox';
import { templateCard, text } from '../../platform/outbound';
import { ackTask, closeTask, openTask } from '../tasks';
import { chainDay } from './chain-time';
import { bookMove } from './booking';
import { format } from './ledger';
import { managesStore, storeManagers } from './managers';

type Tx = Messaging & { db: DbTx };

/** The reasons offered on the review card; the one typed with the message is offered first. */
export const LOSS_REASONS = ['过期', '破损', '变质', '制作损耗', '试吃试饮', '其他'];

export interface WasteRequest {
  /** What asked for it (`chat:<inbound id>`): the same message is held once. */
  sourceKey: string;
  storeCode: string;
  skuCode: string;
  /** Base units, positive. */
  quantity: number;
  reason?: string;
  staffUserid: string;
  occurredAt: Date;
}

/** The day's waste limit of a SKU in a store and how much of it is used, before a new entry. */
export interface LossLimit {
  /** Waste booked today plus waste held for review today. */
  usedToday: number;
  /** Null: no limit applies (no setting and nothing on hand). */
  limit: number | null;
}

/**
 * The limit is the tighter of the store's `max_daily_loss` for the SKU (when above 0) and a share
 * of the day's stock (on-hand plus what was wasted today already, so splitting the waste into
 * small entries does not raise the bar). Pure: the caller reads the figures under a row lock.
 */
export function lossLimit(figures: { maxDailyLoss: number | null; onHand: number; bookedToday: number; heldToday: number }, share: number): LossLimit {
  const limits: number[] = [];
  if (figures.maxDailyLoss !== null && figures.maxDailyLoss > 0) limits.push(figures.maxDailyLoss);
  const dayStock = figures.onHand + figures.bookedToday;
  if (dayStock > 0) limits.push(dayStock * share);
  return { usedToday: figures.bookedToday + figures.heldToday, limit: limits.length ? Math.min(...limits) : null };
}

/**
 * Called before a waste entry is booked, in the booking's transaction. Over the day's limit, the
 * entry is not booked but held, and review cards go out; returns the hold (an earlier one when the
 * same message comes again), or null when the entry may be booked right away.
 */
export async function holdWasteOverLimit(tx: Tx, ctx: BotContext, request: WasteRequest, names: { sku: string; unit: string; store: string }): Promise<StockLossHold | null> {
  // Booked straight away on an earlier run (it was under the limit then): booking answers that.
  if (await tx.db.stockMove.findUnique({ where: { externalId: request.sourceKey } })) return null;
  const earlier = await tx.db.stockLossHold.findUnique({ where: { sourceKey: request.sourceKey } });
  if (earlier) {
    await tx.reply(earlier.status === 'pending' ? '这一笔报损已在等待确认，请在卡片上处理。' : '这一笔报损已经处理过了。');
    return earlier;
  }
  const settings = ctx.config.stockChecks;
  // The balance row lock serialises this store's entries of the SKU: two people reporting waste at
  // once cannot both slip under the limit.
  await tx.db.$executeRaw`INSERT INTO stock_balance (store_code, sku_code, on_hand, updated_at)
    VALUES (${request.storeCode}, ${request.skuCode}, 0, ${ctx.clock.now()}) ON CONFLICT DO NOTHING`;
  const [balance] = await tx.db.$queryRaw<{ on_hand: Prisma.Decimal }[]>`
    SELECT on_hand FROM stock_balance WHERE store_code = ${request.storeCode} AND sku_code = ${request.skuCode} FOR UPDATE`;
  const onHand = new Prisma.Decimal(balance.on_hand).toNumber();
  // Waste the shelf does not have is refused by booking, with the on-hand: no review for that.
  const sku = await tx.db.sku.findUniqueOrThrow({ where: { code: request.skuCode } });
  if (onHand < request.quantity && !sku.allowNegative) return null;
  const day = chainDay(request.occurredAt, ctx.config.timezone);
  const [booked] = await tx.db.$queryRaw<{ total: Prisma.Decimal | null }[]>`
    SELECT SUM(-m.quantity) AS total FROM stock_move m
    WHERE m.store_code = ${request.storeCode} AND m.sku_code = ${request.skuCode} AND m.kind = 'waste'
      AND m.occurred_at >= ${day.start} AND m.occurred_at < ${day.end}
      AND NOT EXISTS (SELECT 1 FROM stock_move r WHERE r.reverses_id = m.id)`;
  const held = await tx.db.stockLossHold.aggregate({
    where: { storeCode: request.storeCode, skuCode: request.skuCode, status: 'pending', occurredAt: { gte: day.start, lt: day.end } },
    _sum: { quantity: true },
  });
  const setting = await tx.db.skuStoreSetting.findUnique({ where: { storeCode_skuCode: { storeCode: request.storeCode, skuCode: request.skuCode } } });
  const { usedToday, limit } = lossLimit(
    {
      maxDailyLoss: setting ? setting.maxDailyLoss.toNumber() : null,
      onHand,
      bookedToday: booked.total ? new Prisma.Decimal(booked.total).toNumber() : 0,
      heldToday: held._sum.quantity?.toNumber() ?? 0,
    },
    settings.lossShareOfOnHand,
  );
  const dayTotal = usedToday + request.quantity;
  if (limit === null || dayTotal <= limit) return null;

  const hold = await tx.db.stockLossHold.create({
    data: {
      sourceKey: request.sourceKey,
      storeCode: request.storeCode,
      skuCode: request.skuCode,
      quantity: request.quantity,
      reason: request.reason,
      staffUserid: request.staffUserid,
      occurredAt: request.occurredAt,
      dayTotal,
      dayLimit: Math.round(limit * 1000) / 1000,
      needsManager: dayTotal > limit * settings.lossManagerMultiple,
      createdAt: ctx.clock.now(),
    },
  });
  await tx.reply(templateCard(staffReviewCard(hold, names)));
  if (hold.needsManager) await tx.send(await storeManagers(tx.db, hold.storeCode), templateCard(managerReviewCard(hold, names, ctx.staff?.name ?? hold.staffUserid)));
  // Nobody answering must not leave it held for ever: the task engine reminds, escalates, expires.
  const now = ctx.clock.now();
  await openTask(
    tx.db,
    {
      ...holdTask(hold),
      storeCode: hold.storeCode,
      assignee: hold.staffUserid,
      title: `报损待确认：${names.sku} ${format(hold.quantity)}${names.unit}`,
      detail: `超出今日报损上限，还没有记账${hold.needsManager ? '，店长批准后才记账' : ''}。报损人回复原因（如「过期」）即确认，回复「取消」作废；店长点「确认报损」即批准，点「取消」即驳回。`,
      dueAt: new Date(now.getTime() + settings.confirmRemindMinutes * 60_000),
      ladder: LOSS_HOLD_TASK,
      actions: [
        { key: `stock.lossConfirm:${hold.id}`, label: '确认报损' },
        { key: `stock.lossCancel:${hold.id}`, label: '取消' },
      ],
    },
    { by: hold.staffUserid, inboundId: ctx.message.id, now },
  );
  return hold;
}

function figures(hold: StockLossHold, unit: string) {
  return [
    { keyname: '今日报损（含这笔）', value: `${format(hold.dayTotal)}${unit}` },
    { keyname: '今日上限', value: `${format(hold.dayLimit)}${unit}` },
    { keyname: '店长批准', value: hold.needsManager ? '需要' : '不需要' },
  ];
}

function reasonOptions(hold: StockLossHold): { id: string; text: string }[] {
  const given = hold.reason && !LOSS_REASONS.includes(hold.reason) ? [{ id: 'given', text: hold.reason.slice(0, 16) }] : [];
  return [...given, ...LOSS_REASONS.map((text, i) => ({ id: `r${i}`, text }))];
}

function staffReviewCard(hold: StockLossHold, names: { sku: string; unit: string }) {
  const options = reasonOptions(hold);
  const selected = options.find((o) => o.text === hold.reason?.slice(0, 16));
  return {
    card_type: 'button_interaction',
    main_title: { title: `报损待确认：${names.sku} ${format(hold.quantity)}${names.unit}`, desc: '超出今日报损上限，还没有记账' },
    horizontal_content_list: figures(hold, names.unit),
    sub_title_text: `选好原因并确认（或直接回复原因，如「过期」）${hold.needsManager ? '；店长批准后才记账' : '后才记账'}。记错了就取消。`,
    button_selection: { question_key: 'reason', title: '原因', option_list: options, ...(selected ? { selected_id: selected.id } : {}) },
    button_list: [
      { text: '确认报损', style: 1, key: `stock.lossConfirm:${hold.id}` },
      { text: '取消', style: 2, key: `stock.lossCancel:${hold.id}` },
    ],
  };
}

function managerReviewCard(hold: StockLossHold, names: { sku: string; unit: string; store: string }, staffName: string) {
  return {
    card_type: 'button_interaction',
    main_title: { title: `报损需批准：${names.sku} ${format(hold.quantity)}${names.unit}`, desc: `${names.store} · ${staffName}` },
    horizontal_content_list: [...figures(hold, names.unit).slice(0, 2), { keyname: '原因', value: hold.reason ?? '待店员选择' }],
    sub_title_text: '远超今日上限：你批准、店员确认原因后才记账。',
    button_list: [
      { text: '批准', style: 1, key: `stock.lossApprove:${hold.id}` },
      { text: '驳回', style: 2, key: `stock.lossReject:${hold.id}` },
    ],
  };
}

/**
 * 确认报损 on the staff card, or on the hold's task card: the reason is the one selected (or typed
 * with the message). A store manager tapping it on the escalated task card approves it.
 */
export async function confirmLoss(ctx: BotContext): Promise<void> {
  await ctx.transaction(async (tx) => {
    const hold = await lockHold(tx.db, ctx.keyArg);
    if (hold.staffUserid !== ctx.message.fromUser && (await managesStore(tx.db, ctx.message.fromUser, hold.storeCode))) return decideFromChat(tx, ctx, 'approve');
    if (hold.staffUserid !== ctx.message.fromUser) throw new UserFacingError('stock.notYourMove', '只能确认你自己报的损耗。');
    const picked = ctx.message.card?.selections.find((s) => s.questionKey === 'reason')?.optionIds[0];
    await confirmHold(tx, ctx, hold, picked ? reasonOptions(hold).find((o) => o.id === picked)?.text : undefined);
  });
}

/** 取消 on the staff card or the hold's task card: nothing is booked. A store manager's tap on the task card rejects it. */
export async function cancelLoss(ctx: BotContext): Promise<void> {
  await ctx.transaction(async (tx) => {
    const hold = await lockHold(tx.db, ctx.keyArg);
    if (hold.staffUserid !== ctx.message.fromUser && (await managesStore(tx.db, ctx.message.fromUser, hold.storeCode))) return decideFromChat(tx, ctx, 'reject');
    if (hold.staffUserid !== ctx.message.fromUser) throw new UserFacingError('stock.notYourMove', '只能取消你自己报的损耗。');
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
    { holdId: ctx.keyArg, decision, by: ctx.message.fromUser, ref: `chat:${ctx.message.id}`, inboundId: ctx.message.id, tappedCard: ctx.message.card?.responseCode ? { taskId: ctx.message.card.taskId } : undefined },
  );
  if (result.ok) return tx.reply(result.message);
  if (result.code === 'not_manager') throw new UserFacingError('stock.notManager', result.message);
  if (result.code === 'unknown_hold') throw new UserFacingError('stock.unknownHold', result.message);
  await tx.reply(result.message);
}

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
  if (!(await managesStore(db, input.by, hold.storeCode))) {
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
    if (!newest) throw new UserFacingError('stock.unknownHold', '没有等你确认的报损。');
    const hold = await lockHold(tx.db, String(newest.id));
    if (cancel) return cancelHold(tx, ctx, hold);
    await confirmHold(tx, ctx, hold, afterConfirm?.trim() || bareReason || undefined);
  });
}

async function confirmHold(tx: Tx, ctx: BotContext, hold: StockLossHold, given: string | undefined): Promise<void> {
  if (await settled(tx, ctx, hold)) return;
  const reason = given ?? hold.reason ?? undefined;
  if (!reason) throw new UserFacingError('stock.lossReasonMissing', '请先选择报损原因再确认：在卡片上选，或直接回复原因，例如「过期」。');
  const now = ctx.clock.now();
  const confirmed = await tx.db.stockLossHold.update({ where: { id: hold.id }, data: { reason, staffConfirmedAt: now } });
  if (confirmed.needsManager && !confirmed.managerApprovedAt) {
    // The sender has done their part: no more reminders to them; the manager has the approval card.
    if (await hasTask(tx.db, hold)) await ackTask(tx.db, holdTask(hold), { by: ctx.message.fromUser, inboundId: ctx.message.id, now });
    await markCard(tx, ctx, '已确认，待店长批准');
    await tx.reply(`已确认报损原因「${reason}」，店长批准后记账。`);
    return;
  }
  await markCard(tx, ctx, '已确认');
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
  await markCard(tx, ctx, '已取消');
  const what = await describe(tx.db, hold);
  await tx.reply(answer(what));
  if (hold.needsManager) {
    await markReviewCards({ db: tx.db, clock: ctx.clock, config: ctx.config, messaging: tx }, hold, '店员已取消', undefined);
    await tx.send(await storeManagers(tx.db, hold.storeCode), `店员取消了待批准的报损：${what}`);
  }
}

/** `撤销` when the sender's newest entry is a hold still waiting (see undo.ts): cancelled as by 取消. */
export async function cancelHoldByUndo(tx: Tx, ctx: BotContext, holdId: bigint, answer: (what: string) => string): Promise<void> {
  await cancelHold(tx, ctx, await lockHold(tx.db, String(holdId)), answer);
}

/** The hold, locked: a confirmation and an approval arriving together book it once. */
async function lockHold(db: DbTx, keyArg: string): Promise<StockLossHold> {
  const hold = /^\d+$/.test(keyArg) ? await lockHoldIfAny(db, BigInt(keyArg)) : null;
  if (!hold) throw new UserFacingError('stock.unknownHold', '找不到这笔报损。');
  return hold;
}

async function lockHoldIfAny(db: DbTx, id: bigint): Promise<StockLossHold | null> {
  const [locked] = await db.$queryRaw<{ id: bigint }[]>`SELECT id FROM stock_loss_hold WHERE id = ${id} FOR UPDATE`;
  return locked ? db.stockLossHold.findUniqueOrThrow({ where: { id: locked.id } }) : null;
}

const SETTLED_TEXT: Record<string, { label: string; reply: string }> = {
  booked: { label: '已记账', reply: '这笔报损已经记账了。' },
  cancelled: { label: '已取消', reply: '这笔报损已经取消，没有记账。' },
  expired: { label: '已过期', reply: '这笔报损太久没有确认，已作废，没有记账；如确有损耗请重新报损。' },
};

/**
 * A tap or answer for a hold already booked, cancelled or void changes nothing and says so. A
 * hold whose task has expired is void from then on, even before the sweep (expireConfirmations)
 * has got to it.
 */
async function settled(tx: Tx, ctx: BotContext, hold: StockLossHold): Promise<boolean> {
  const status = await currentStatus(tx.db, hold, ctx.clock.now());
  if (status === 'pending') return false;
  await markCard(tx, ctx, SETTLED_TEXT[status].label);
  await tx.reply(SETTLED_TEXT[status].reply);
  return true;
}

/** The hold's status, made void first if its task has expired (under the hold's lock). */
async function currentStatus(db: DbTx, hold: StockLossHold, now: Date): Promise<string> {
  if (hold.status === 'pending' && (await db.task.findUnique({ where: { kind_sourceRef: holdTask(hold) }, select: { state: true } }))?.state === 'expired') {
    await expireHold(db, hold, now);
    return 'expired';
  }
  return hold.status;
}

/**
 * After a manager's decision: the tapped card (if it was a tap) is rewritten with the label, and so
 * is every manager review card of the hold WeCom has accepted (with the response_code it gave, still
 * valid), the tapped one apart; one not yet sent is withdrawn. The hold's task cards are the task
 * engine's (closeTask rewrites them).
 */
async function markReviewCards(env: HoldDecisionEnv, hold: StockLossHold, label: string, tapped: { taskId?: string } | undefined): Promise<void> {
  const { db, clock, messaging } = env;
  if (tapped) await messaging.updateCard({ replaceName: label });
  const recipients = await storeManagers(db, hold.storeCode);
  const cards = await db.$queryRaw<{ key: string; recipient: string; status: string; responseCode: string | null; sentAt: Date | null; taskId: string | null }[]>`
    SELECT idempotency_key AS key, recipient, status, response_code AS "responseCode", sent_at AS "sentAt", body->>'task_id' AS "taskId"
    FROM outbox_message
    WHERE recipient = ANY(${recipients}) AND kind = 'template_card' AND idempotency_key IS NOT NULL
      AND body->'button_list' @> ${JSON.stringify([{ key: `stock.lossApprove:${hold.id}` }])}::jsonb`;
  const others = cards.filter((c) => !tapped?.taskId || c.taskId !== tapped.taskId);
  await cancelUnsent(db, others.filter((c) => c.status === 'pending').map((c) => c.key), `loss hold ${hold.id} decided before the card went out`);
  await relabelSentCards(db, others, label, 'decided', clock.now());
}

/** Rewrites the tapped card; an answer typed in chat has no card to rewrite (its task's cards are closed with the task). */
async function markCard(tx: Tx, ctx: BotContext, label: string): Promise<void> {
  if (ctx.message.card?.responseCode) await tx.updateCard({ replaceName: label });
}

/** The task that reminds and escalates a hold (LOSS_HOLD_TASK); its state follows the hold's. */
export const LOSS_HOLD_TASK = 'stock.lossHold';
const holdTask = (hold: Pick<StockLossHold, 'id'>) => ({ kind: LOSS_HOLD_TASK, sourceRef: `loss-hold:${hold.id}` });

async function close(
  db: DbTx,
  hold: StockLossHold,
  change: { status: 'cancelled' | 'booked'; by: string; now: Date; moveId?: bigint; decisionRef?: string; managerUserid?: string; inboundId?: string; note?: string },
): Promise<StockLossHold> {
  const closed = await db.stockLossHold.update({
    where: { id: hold.id },
    data: { status: change.status, closedBy: change.by, closedAt: change.now, moveId: change.moveId, decisionRef: change.decisionRef, managerUserid: change.managerUserid },
  });
  if (await hasTask(db, hold)) {
    await closeTask(db, holdTask(hold), { state: change.status === 'booked' ? 'done' : 'cancelled', by: change.by, now: change.now, inboundId: change.inboundId, note: change.note });
  }
  return closed;
}

/** Holds from before holds were tasks have none. */
async function hasTask(db: DbTx, hold: StockLossHold): Promise<boolean> {
  return (await db.task.findUnique({ where: { kind_sourceRef: holdTask(hold) }, select: { id: true } })) !== null;
}

/** The hold's task expired: the hold is void — nothing booked, no longer counted against the day's limit. */
async function expireHold(db: DbTx, hold: StockLossHold, now: Date): Promise<void> {
  await db.stockLossHold.update({ where: { id: hold.id }, data: { status: 'expired', closedAt: now } });
}

/**
 * `stock.expireConfirmations`, for holds: each pending hold whose task the walker expired is made
 * void under its row lock, and its sender (and, if it needed approval, the store's managers) told.
 */
export async function expireAbandonedHolds(db: Db, now: Date, log: Logger): Promise<number> {
  const expired = await db.$queryRaw<{ id: bigint }[]>`
    SELECT h.id FROM stock_loss_hold h JOIN task t ON t.kind = ${LOSS_HOLD_TASK} AND t.source_ref = 'loss-hold:' || h.id
    WHERE h.status = 'pending' AND t.state = 'expired' ORDER BY h.id LIMIT 500`;
  let count = 0;
  for (const { id } of expired) {
    try {
      await db.$transaction(async (tx) => {
        const hold = await lockHold(tx, String(id));
        if (hold.status !== 'pending') return;
        await expireHold(tx, hold, now);
        const what = await describe(tx, hold);
        const items = [{ to: hold.staffUserid, content: text(`你报的损耗太久没有确认，已作废，没有记账：${what}。如确有损耗请重新报损。`), idempotencyKey: `stock.lossHoldExpired:${hold.id}` }];
        if (hold.needsManager) for (const to of await storeManagers(tx, hold.storeCode)) items.push({ to, content: text(`待批准的报损没有人处理，已作废：${what}`), idempotencyKey: `stock.lossHoldExpired:${hold.id}:${to}` });
        await enqueue(tx, items, now);
        count++;
      });
    } catch (err) {
      // One hold that fails must not keep the others pending.
      log.error({ err, holdId: String(id) }, 'could not expire a loss hold');
    }
  }
  return count;
}

/** Books the held waste — keyed by the hold, so it is booked exactly once. */
async function bookHold(env: { db: DbTx; clock: Clock; config: Config }, hold: StockLossHold, who: { by: string; inboundId?: string; note?: string }): Promise<string> {
  const { db, clock, config } = env;
  const sku = await db.sku.findUniqueOrThrow({ where: { code: hold.skuCode } });
  const move = {
    storeCode: hold.storeCode,
    skuCode: hold.skuCode,
    kind: 'waste' as const,
    quantity: -hold.quantity.toNumber(),
    reason: hold.reason ?? undefined,
    staffUserid: hold.staffUserid,
    occurredAt: hold.occurredAt,
    recordedAt: clock.now(),
    source: 'chat' as const,
    externalId: `loss-hold:${hold.id}`,
  };
  const booked = await bookMove(db, config, move, sku);
  await close(db, hold, { status: 'booked', now: clock.now(), moveId: booked.id, ...who });
  const store = await db.store.findUniqueOrThrow({ where: { code: hold.storeCode } });
  return `已报损 ${sku.name} ${format(hold.quantity)}${sku.baseUnit}（${hold.reason}），${store.name} 现有 ${format(booked.onHand)}${sku.baseUnit}`;
}

async function describe(db: DbTx, hold: StockLossHold): Promise<string> {
  const sku = await db.sku.findUniqueOrThrow({ where: { code: hold.skuCode } });
  return `${sku.name} ${format(hold.quantity)}${sku.baseUnit}${hold.reason ? `（${hold.reason}）` : ''}`;
}
