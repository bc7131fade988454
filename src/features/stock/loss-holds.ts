import type { Messaging } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { Clock } from '../../clock';
import type { Config } from '../../config';
import type { DbTx } from '../../db';
import type { StockLossHold } from '../../generated/prisma/client';
import { closeTask } from '../tasks';
import { bookMove } from './booking';
import { format } from './ledger';
import { STOCK_ERRORS } from './keys';

/**
 * A held waste entry (stock_loss_hold, outside the ledger) and its task: locking, settling,
 * booking it once. What the answers (loss-answers.ts), a manager's decision (loss-decision.ts)
 * and the expiry (loss-expiry.ts) share.
 */

export type Tx = Messaging & { db: DbTx };

/** The task that reminds and escalates a hold (LOSS_HOLD_TASK); its state follows the hold's. */
export const LOSS_HOLD_TASK = 'stock.lossHold';
export const holdTask = (hold: Pick<StockLossHold, 'id'>) => ({ kind: LOSS_HOLD_TASK, sourceRef: `loss-hold:${hold.id}` });

/** The hold, locked: a confirmation and an approval arriving together book it once. */
export async function lockHold(db: DbTx, keyArg: string): Promise<StockLossHold> {
  const hold = /^\d+$/.test(keyArg) ? await lockHoldIfAny(db, BigInt(keyArg)) : null;
  if (!hold) throw new UserFacingError(STOCK_ERRORS.unknownHold, '找不到这笔报损。');
  return hold;
}

export async function lockHoldIfAny(db: DbTx, id: bigint): Promise<StockLossHold | null> {
  const [locked] = await db.$queryRaw<{ id: bigint }[]>`SELECT id FROM stock_loss_hold WHERE id = ${id} FOR UPDATE`;
  return locked ? db.stockLossHold.findUniqueOrThrow({ where: { id: locked.id } }) : null;
}

export const SETTLED_TEXT: Record<string, { label: string; reply: string }> = {
  booked: { label: '已记账', reply: '这笔报损已经记账了。' },
  cancelled: { label: '已取消', reply: '这笔报损已经取消，没有记账。' },
  expired: { label: '已过期', reply: '这笔报损太久没有确认，已作废，没有记账；如确有损耗请重新报损。' },
};

/** The hold's status, made void first if its task has expired (under the hold's lock). */
export async function currentStatus(db: DbTx, hold: StockLossHold, now: Date): Promise<string> {
  if (hold.status === 'pending' && (await db.task.findUnique({ where: { kind_sourceRef: holdTask(hold) }, select: { state: true } }))?.state === 'expired') {
    await expireHold(db, hold, now);
    return 'expired';
  }
  return hold.status;
}

export async function close(
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
export async function hasTask(db: DbTx, hold: StockLossHold): Promise<boolean> {
  return (await db.task.findUnique({ where: { kind_sourceRef: holdTask(hold) }, select: { id: true } })) !== null;
}

/** The hold's task expired: the hold is void — nothing booked, no longer counted against the day's limit. */
export async function expireHold(db: DbTx, hold: StockLossHold, now: Date): Promise<void> {
  await db.stockLossHold.update({ where: { id: hold.id }, data: { status: 'expired', closedAt: now } });
}

/** Books the held waste — keyed by the hold, so it is booked exactly once. */
export async function bookHold(env: { db: DbTx; clock: Clock; config: Config }, hold: StockLossHold, who: { by: string; inboundId?: string; note?: string }): Promise<string> {
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

export async function describe(db: DbTx, hold: StockLossHold): Promise<string> {
  const sku = await db.sku.findUniqueOrThrow({ where: { code: hold.skuCode } });
  return `${sku.name} ${format(hold.quantity)}${sku.baseUnit}${hold.reason ? `（${hold.reason}）` : ''}`;
}
