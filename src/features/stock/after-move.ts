import type { Config } from '../../config';
import type { DbTx } from '../../db';
import type { StockMove } from '../../generated/prisma/client';
import { checkSafetyStock } from './alerts';
import { fillDeliveriesFromReceipt, unfillDeliveriesOfReversal } from './deliveries';
import { deductPoints } from './points';

const KIND_NAMES: Record<string, string> = { receipt: '入库', sale: '销售', waste: '报损', transfer_out: '调出', transfer_in: '调入', return: '退货' };

/** Kinds whose time of happening is not a person's to report late (undo, count corrections). */
const NOT_LATE_KINDS = new Set(['reversal', 'count_adjustment']);

/**
 * The checks that follow a booked move, in its transaction: a receipt fills the expected
 * deliveries it matches (an undo un-fills them); a move recorded long after it happened is flagged
 * late and costs the store points — except a receipt that filled a delivery, which is measured by
 * the delivery's own deadline; and a drop below safety stock alerts the store manager.
 */
export async function afterMoveBooked(db: DbTx, config: Config, moveId: bigint, now: Date): Promise<void> {
  const move = await db.stockMove.findUniqueOrThrow({ where: { id: moveId } });
  // A receipt booked from a delivery's own card has filled its lines already.
  const filled = move.kind === 'receipt' && !move.externalId?.startsWith('delivery:') ? await fillDeliveriesFromReceipt(db, move, now) : false;
  if (move.kind === 'reversal') await unfillDeliveriesOfReversal(db, move);
  if (!filled) await flagIfLate(db, config, move, now);
  await checkSafetyStock(db, config, move.storeCode, [move.skuCode], now);
}

async function flagIfLate(db: DbTx, config: Config, move: StockMove, now: Date): Promise<void> {
  if (NOT_LATE_KINDS.has(move.kind)) return;
  const minutesLate = Math.floor((move.recordedAt.getTime() - move.occurredAt.getTime()) / 60_000);
  if (minutesLate <= config.stockChecks.lateEntryMinutes) return;
  const flagged = await db.$executeRaw`
    INSERT INTO stock_late_move (move_id, store_code, minutes_late, flagged_at)
    VALUES (${move.id}, ${move.storeCode}, ${minutesLate}, ${now}) ON CONFLICT DO NOTHING`;
  if (flagged === 1) {
    await deductPoints(
      db,
      { storeCode: move.storeCode, points: config.stockChecks.latePoints, reason: `补记晚了 ${Math.round(minutesLate / 6) / 10} 小时：${KIND_NAMES[move.kind] ?? move.kind} #${move.id}`, causeKey: `move-late:${move.id}`, occurredAt: move.occurredAt },
      now,
    );
  }
}
