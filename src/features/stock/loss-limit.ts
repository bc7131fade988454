import type { BotContext } from '../../bot/context';
import { Prisma, type StockLossHold } from '../../generated/prisma/client';
import { templateCard } from '../../platform/outbound';
import { openTask } from '../tasks';
import { chainDay } from '../../timezone';
import { format } from './ledger';
import { managerReviewCard, staffReviewCard } from './loss-cards';
import { holdTask, LOSS_HOLD_TASK, type Tx } from './loss-holds';
import { nearestManagerIds } from '../../people';
import { STOCK_CARDS } from './keys';

/** The day's waste limit (报损审核): the rule, and holding an entry over it for review. */

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
  if (hold.needsManager) await tx.send(await nearestManagerIds(tx.db, hold.storeCode), templateCard(managerReviewCard(hold, names, ctx.staff?.name ?? hold.staffUserid)));
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
        { key: `${STOCK_CARDS.lossConfirm}:${hold.id}`, label: '确认报损' },
        { key: `${STOCK_CARDS.lossCancel}:${hold.id}`, label: '取消' },
      ],
    },
    { by: hold.staffUserid, inboundId: ctx.message.id, now },
  );
  return hold;
}
