import type { JobContext } from '../../bot/context';
import { openTask } from '../tasks';
import { chainTimeText } from '../../timezone';
import { deliveryUndoneOnce, LATE_DELIVERY_TASK, reopenedAdvice } from './delivery-matching';
import { format } from './ledger';
import { deductPoints } from './points';
import { STOCK_CARDS } from './keys';

/** The escalation ladder it walks (configured with the task engine's ladders). */
export const LATE_DELIVERY_LADDER = 'stock.lateDelivery';
export const CHASE_SCHEDULE = '*/5 * * * *';

/**
 * `stock.chaseLateDeliveries`: a delivery still not booked STOCK_LATE_ENTRY_MINUTES after it
 * was expected costs its store points and becomes a task for the staff on shift, with an 入库
 * button that books it whole; the task engine reminds and escalates to the store manager.
 * Marking the delivery late is a conditional update, so each delivery is chased once however
 * often the job runs, on however many replicas.
 */
export async function chaseLateDeliveries(job: JobContext): Promise<void> {
  const now = job.clock.now();
  const settings = job.config.stockChecks;
  const deadline = new Date(now.getTime() - settings.lateEntryMinutes * 60_000);
  const late = await job.db.stockDelivery.findMany({ where: { bookedAt: null, lateAt: null, expectedAt: { lte: deadline } }, select: { id: true }, orderBy: { expectedAt: 'asc' } });
  for (const { id } of late) {
    try {
      await job.db.$transaction(async (tx) => {
        const { count } = await tx.stockDelivery.updateMany({ where: { id, bookedAt: null, lateAt: null }, data: { lateAt: now } });
        if (count === 0) return;
        const delivery = await tx.stockDelivery.findUniqueOrThrow({ where: { id }, include: { lines: { orderBy: { lineNo: 'asc' } } } });
        const skus = new Map((await tx.sku.findMany({ where: { code: { in: delivery.lines.map((l) => l.skuCode) } } })).map((s) => [s.code, s]));
        const missing = delivery.lines
          .filter((l) => l.bookedQuantity.lessThan(l.quantity))
          .map((l) => `${skus.get(l.skuCode)?.name ?? l.skuCode} ${format(l.quantity.minus(l.bookedQuantity))}${skus.get(l.skuCode)?.baseUnit ?? ''}`);
        const expected = chainTimeText(delivery.expectedAt, job.config.timezone);
        // Someone undid a receipt of it: its numbers were not what arrived, so no button books them blindly.
        const undone = await deliveryUndoneOnce(tx, delivery.id);
        const firstMissing = delivery.lines.find((l) => l.bookedQuantity.lessThan(l.quantity));
        const advice = undone ? [`这张到货单的入库被撤销过。${reopenedAdvice(skus.get(firstMissing?.skuCode ?? '')?.name ?? '商品')}`] : [];
        await deductPoints(
          tx,
          {
            storeCode: delivery.storeCode,
            points: settings.latePoints,
            reason: `到货单 ${delivery.id} 超过 ${settings.lateEntryMinutes / 60} 小时未入库`,
            causeKey: `delivery-late:${delivery.id}`,
            occurredAt: now,
          },
          now,
        );
        await openTask(
          tx,
          {
            kind: LATE_DELIVERY_TASK,
            sourceRef: `delivery:${delivery.id}`,
            storeCode: delivery.storeCode,
            assignee: null,
            title: `到货未入库：${missing.slice(0, 2).join('、')}${missing.length > 2 ? ` 等 ${missing.length} 项` : ''}`,
            detail: [`到货单 ${delivery.id}，预计 ${expected} 到货，已超过 ${settings.lateEntryMinutes / 60} 小时未入库。`, ...missing, ...advice].join('\n'),
            dueAt: now,
            ladder: LATE_DELIVERY_LADDER,
            actions: undone ? [] : [{ key: `${STOCK_CARDS.bookDelivery}:${delivery.id}`, label: '入库' }],
          },
          { now },
        );
      });
    } catch (err) {
      // One bad delivery must not keep the others from being chased.
      job.log.error({ err, deliveryId: id }, 'could not chase a late delivery');
    }
  }
}
