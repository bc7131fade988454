import type { JobContext } from '../../../bot/context';
import type { DbTx } from '../../../db';
import { enqueue } from '../../../platform/outbox';
import { text } from '../../../platform/outbound';
import { addDays, chainDate, daysBetween } from '../../../timezone';
import { nearestManagerIds } from '../../../people';
import { format } from '../ledger';
import { dayText, expiringBatches, type OpenBatch } from './batches';

/** Every morning at 07:30 in the chain's time zone: after the stockout forecast, before opening, so the shelf can be checked first thing. */
export const EXPIRING_SCHEDULE = '30 7 * * *';

/** A batch as staff read it: `牛奶 24盒，12月20日到期（还有 2 天）` or `……已过期，请报损`. */
export function batchLine(batch: OpenBatch, today: string): string {
  const left = daysBetween(today, batch.expiresOn);
  const when = left < 0 ? `${dayText(batch.expiresOn)}已过期，请报损` : left === 0 ? '今天到期' : `${dayText(batch.expiresOn)}到期（还有 ${left} 天）`;
  return `· ${batch.skuName} ${format(batch.remaining)}${batch.baseUnit}，${when}`;
}

/** The store's batches within STOCK_EXPIRY_WARN_DAYS, expired ones first (they are the soonest). */
export function expiringOf(db: DbTx, storeCode: string, today: string, warnDays: number): Promise<OpenBatch[]> {
  return expiringBatches(db, storeCode, addDays(today, warnDays));
}

/**
 * `stock.warnExpiringBatches`: tells each store's staff and managers which batches with stock left
 * expire within STOCK_EXPIRY_WARN_DAYS (临期) or have expired (已过期，请报损). Each batch is told
 * once per stage: claiming it in stock_batch_alert (its key is batch and stage) decides, so a
 * re-run or a second replica says nothing twice; a batch told as 临期 is told again, once, when it
 * has expired with stock left. One store's failure does not stop the others.
 */
export async function warnExpiringBatches(job: JobContext): Promise<void> {
  const now = job.clock.now();
  const today = chainDate(now, job.config.timezone);
  const stores = await job.db.store.findMany({ orderBy: { code: 'asc' } });
  for (const store of stores) {
    try {
      await job.db.$transaction(async (tx) => {
        const batches = await expiringOf(tx, store.code, today, job.config.stockChecks.expiryWarnDays);
        if (batches.length === 0) return;
        const stageOf = (b: OpenBatch) => (b.expiresOn < today ? 'expired' : 'expiring');
        const claimed = await tx.$queryRaw<{ batch_id: bigint }[]>`
          INSERT INTO stock_batch_alert (batch_id, stage, alerted_at)
          SELECT v.batch_id, v.stage, ${now}::timestamptz FROM unnest(${batches.map((b) => b.id)}::bigint[], ${batches.map(stageOf)}::text[]) AS v(batch_id, stage)
          ORDER BY v.batch_id
          ON CONFLICT DO NOTHING
          RETURNING batch_id`;
        const fresh = new Set(claimed.map((c) => c.batch_id));
        const told = batches.filter((b) => fresh.has(b.id));
        if (told.length === 0) return;
        const expired = told.filter((b) => stageOf(b) === 'expired');
        const lines = [
          `【临期提醒】${store.name}：${told.length - expired.length ? `${told.length - expired.length} 批 ${job.config.stockChecks.expiryWarnDays} 天内到期` : ''}${expired.length && told.length > expired.length ? '，' : ''}${expired.length ? `${expired.length} 批已过期` : ''}`,
          ...told.map((b) => batchLine(b, today)),
          expired.length ? '已过期的请下架并报损（报损 商品 数量 过期）；临期的请先用、先卖。' : '临期的请先用、先卖。',
        ];
        // Whoever is at the shelf acts on it; a store with nobody on its staff list still has a manager told.
        const staff = await tx.staff.findMany({ where: { storeCode: store.code, active: true, role: { in: ['staff', 'store_manager'] } }, select: { userid: true }, orderBy: { userid: 'asc' } });
        const to = staff.length ? staff.map((s) => s.userid) : await nearestManagerIds(tx, store.code);
        // Keyed by the first batch told: a later run the same day that claims other batches sends its own message.
        await enqueue(
          tx,
          to.map((userid) => ({ to: userid, content: text(lines.join('\n')), idempotencyKey: `stock.expiring:${store.code}:${told[0].id}:${userid}` })),
          now,
        );
      });
    } catch (err) {
      job.log.error({ err, storeCode: store.code }, 'expiry alert failed for a store');
    }
  }
}
