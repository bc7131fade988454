import type { DbTx } from '../../db';
import { Prisma, type StockMove } from '../../generated/prisma/client';
import { closeTask } from '../tasks';

/**
 * The matching rule between receipts and advance delivery notices — what the after-move rules
 * (after-move.ts) run for every booked receipt and reversal, kept apart from the notices' sync
 * handler and cards (deliveries.ts), which book moves themselves.
 */

/** A receipt that names no delivery fills lines of deliveries expected from this long before it … */
const MATCH_BEFORE_MS = 48 * 3600_000;
/** … to this long after it (a truck that came early). */
const MATCH_AFTER_MS = 12 * 3600_000;

/** The task kind of a delivery nobody booked in time; its sourceRef is `delivery:<id>`. */
export const LATE_DELIVERY_TASK = 'stock.lateDelivery';
/**
 * A receipt fills the open lines of its store's deliveries of that SKU, the earliest expected
 * first, each up to what is still missing: of the delivery the receipt names (`deliveryId`, an
 * ERP/WMS receipt that references its notice), else of those expected from 48 hours before the
 * receipt to 12 hours after it. A line is booked when filled, a delivery when all its lines are.
 * Returns whether the receipt filled anything.
 */
export async function fillDeliveriesFromReceipt(db: DbTx, move: StockMove, now: Date, deliveryId?: string): Promise<boolean> {
  let left = move.quantity;
  if (!left.greaterThan(0)) return false;
  const which = deliveryId
    ? Prisma.sql`d.id = ${deliveryId}`
    : Prisma.sql`d.expected_at >= ${new Date(move.occurredAt.getTime() - MATCH_BEFORE_MS)} AND d.expected_at <= ${new Date(move.occurredAt.getTime() + MATCH_AFTER_MS)}`;
  const lines = await db.$queryRaw<{ id: bigint; delivery_id: string; quantity: Prisma.Decimal; booked_quantity: Prisma.Decimal }[]>`
    SELECT l.id, l.delivery_id, l.quantity, l.booked_quantity
    FROM stock_delivery_line l JOIN stock_delivery d ON d.id = l.delivery_id
    WHERE d.store_code = ${move.storeCode} AND l.sku_code = ${move.skuCode} AND d.booked_at IS NULL
      AND l.booked_quantity < l.quantity AND ${which}
    ORDER BY d.expected_at, d.id, l.line_no
    FOR UPDATE OF l`;
  const touched = new Set<string>();
  for (const line of lines) {
    if (!left.greaterThan(0)) break;
    const missing = new Prisma.Decimal(line.quantity).minus(line.booked_quantity);
    const filled = Prisma.Decimal.min(missing, left);
    await db.stockDeliveryMatch.create({ data: { moveId: move.id, lineId: line.id, quantity: filled } });
    await db.stockDeliveryLine.update({ where: { id: line.id }, data: { bookedQuantity: { increment: filled } } });
    left = left.minus(filled);
    touched.add(line.delivery_id);
  }
  for (const deliveryId of touched) await markBookedIfComplete(db, deliveryId, move.staffUserid, now);
  return touched.size > 0;
}

/**
 * Undoing a receipt un-fills the delivery lines it filled, and the delivery is open again — but
 * only for what no other receipt covers: what the undo freed is filled first from receipts of the
 * store and SKU still standing with quantity left over (the same goods typed twice, or typed and
 * then posted by the ERP/WMS), in the window the matching rule uses. Those goods are booked, so a
 * notice left open for them would have every message that asks for it (the chase, its card, a
 * count's refusal) book them a second time.
 */
export async function unfillDeliveriesOfReversal(db: DbTx, reversal: StockMove): Promise<void> {
  if (!reversal.reversesId) return;
  const matches = await db.stockDeliveryMatch.findMany({ where: { moveId: reversal.reversesId } });
  const deliveries = new Set<string>();
  for (const match of matches) {
    await db.stockDeliveryMatch.create({ data: { moveId: reversal.id, lineId: match.lineId, quantity: match.quantity.negated() } });
    const line = await db.stockDeliveryLine.update({ where: { id: match.lineId }, data: { bookedQuantity: { decrement: match.quantity } }, include: { delivery: true } });
    await refillFromStandingReceipts(db, line, line.delivery);
    deliveries.add(line.deliveryId);
  }
  // A delivery the refill covered again stays booked as it was (its time, its closed chase).
  for (const deliveryId of deliveries) {
    const open = await db.stockDeliveryLine.count({ where: { deliveryId, bookedQuantity: { lt: db.stockDeliveryLine.fields.quantity } } });
    if (open > 0) await db.stockDelivery.update({ where: { id: deliveryId }, data: { bookedAt: null } });
  }
}

async function refillFromStandingReceipts(
  db: DbTx,
  line: { id: bigint; skuCode: string; quantity: Prisma.Decimal; bookedQuantity: Prisma.Decimal },
  delivery: { storeCode: string; expectedAt: Date },
): Promise<void> {
  let missing = line.quantity.minus(line.bookedQuantity);
  if (!missing.greaterThan(0)) return;
  // A receipt at t fills deliveries expected from t − 48 h to t + 12 h: seen from the delivery, receipts from 12 h before to 48 h after.
  // No lock of its own: the reversal holds the SKU's balance row (bookMove), as every receipt filling lines of it does.
  const standing = await db.$queryRaw<{ id: bigint; left_over: Prisma.Decimal }[]>`
    SELECT m.id, m.quantity - COALESCE((SELECT SUM(x.quantity) FROM stock_delivery_match x WHERE x.move_id = m.id), 0) AS left_over
    FROM stock_move m
    WHERE m.store_code = ${delivery.storeCode} AND m.sku_code = ${line.skuCode} AND m.kind = 'receipt'
      AND m.occurred_at >= ${new Date(delivery.expectedAt.getTime() - MATCH_AFTER_MS)} AND m.occurred_at <= ${new Date(delivery.expectedAt.getTime() + MATCH_BEFORE_MS)}
      AND NOT EXISTS (SELECT 1 FROM stock_move r WHERE r.reverses_id = m.id)
    ORDER BY m.occurred_at, m.id`;
  for (const receipt of standing) {
    const leftOver = new Prisma.Decimal(receipt.left_over);
    if (!missing.greaterThan(0)) break;
    if (!leftOver.greaterThan(0)) continue;
    const filled = Prisma.Decimal.min(missing, leftOver);
    // The receipt may have filled part of this line before: what filled what stays one row.
    await db.$executeRaw`INSERT INTO stock_delivery_match (move_id, line_id, quantity) VALUES (${receipt.id}, ${line.id}, ${filled})
      ON CONFLICT (move_id, line_id) DO UPDATE SET quantity = stock_delivery_match.quantity + EXCLUDED.quantity`;
    await db.stockDeliveryLine.update({ where: { id: line.id }, data: { bookedQuantity: { increment: filled } } });
    missing = missing.minus(filled);
  }
}

/** Whether a person has undone a receipt that filled this delivery: its numbers were then not what arrived. */
export async function deliveryUndoneOnce(db: DbTx, deliveryId: string): Promise<boolean> {
  const [undone] = await db.$queryRaw<{ undone: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM stock_delivery_match x JOIN stock_delivery_line l ON l.id = x.line_id WHERE l.delivery_id = ${deliveryId} AND x.quantity < 0) AS undone`;
  return undone.undone;
}

/** What to say about a delivery someone un-booked: book it only if the goods came, and as many as came. */
export function reopenedAdvice(skuName: string): string {
  return `货确实到了才需要再记：按实际收到的数量发「入库 ${skuName} 数量」；没到就不用记。`;
}

async function markBookedIfComplete(db: DbTx, deliveryId: string, by: string | null, now: Date): Promise<void> {
  const open = await db.$queryRaw<{ n: bigint }[]>`
    SELECT COUNT(*) AS n FROM stock_delivery_line WHERE delivery_id = ${deliveryId} AND booked_quantity < quantity`;
  if (Number(open[0].n) > 0) return;
  await db.stockDelivery.update({ where: { id: deliveryId }, data: { bookedAt: now } });
  await closeLateDeliveryTask(db, deliveryId, by, now);
}

/** The delivery is booked: its late task (if it became one) is done, and every card of it says so. */
export async function closeLateDeliveryTask(db: DbTx, deliveryId: string, by: string | null, now: Date): Promise<void> {
  const delivery = await db.stockDelivery.findUnique({ where: { id: deliveryId }, select: { lateAt: true } });
  if (!delivery?.lateAt) return;
  await closeTask(db, { kind: LATE_DELIVERY_TASK, sourceRef: `delivery:${deliveryId}` }, { state: 'done', by, now });
}
