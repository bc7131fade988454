import type { Db } from '../../db';
import type { Logger } from '../../log';
import { enqueue } from '../../platform/outbox';
import { text } from '../../platform/outbound';
import { describe, expireHold, lockHold, LOSS_HOLD_TASK } from './loss-holds';
import { nearestManagerIds } from '../../people';

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
        if (hold.needsManager)
          for (const to of await nearestManagerIds(tx, hold.storeCode))
            items.push({ to, content: text(`待批准的报损没有人处理，已作废：${what}`), idempotencyKey: `stock.lossHoldExpired:${hold.id}:${to}` });
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
