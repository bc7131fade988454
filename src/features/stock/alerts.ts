import type { JobContext } from '../../bot/context';
import type { Config } from '../../config';
import type { DbTx } from '../../db';
import { Prisma } from '../../generated/prisma/client';
import { enqueue } from '../../platform/outbox';
import { text } from '../../platform/outbound';
import { chainDate, chainTimeText, startOfChainDate } from '../../timezone';
import { dailyUsageSeries, forecastDaily, historyWindow } from './forecast';
import { format } from './ledger';
import { nearestManagerIds } from '../../people';

/**
 * Below safety stock: the store manager hears once when a SKU drops below its safety stock in a
 * store, with how much to reorder, and again only after it has recovered and dropped again. The
 * state row (stock_low_alert) is what makes it once: the alert goes out on the step from ok to
 * low, under that row's lock.
 */

export const SWEEP_SCHEDULE = '*/10 * * * *';

/** Re-checks one store's SKUs, in the caller's transaction. */
export async function checkSafetyStock(db: DbTx, config: AfterMoveAlertConfig, storeCode: string, skuCodes: string[], now: Date): Promise<void> {
  await checkSafetyStockOf(
    db,
    config,
    skuCodes.map((skuCode) => ({ storeCode, skuCode })),
    now,
  );
}

type AfterMoveAlertConfig = Pick<Config, 'timezone' | 'stockChecks'>;

/**
 * Re-checks the given stores' SKUs after moves were booked (booking.ts, every move), in one
 * query: only a SKU whose state steps (ok → low, low → ok) costs more.
 */
export async function checkSafetyStockOf(db: DbTx, config: AfterMoveAlertConfig, pairs: { storeCode: string; skuCode: string }[], now: Date): Promise<void> {
  const unique = [...new Map(pairs.map((p) => [`${p.storeCode}\u0000${p.skuCode}`, p])).values()];
  const rows = await db.$queryRaw<{ store_code: string; sku_code: string; on_hand: Prisma.Decimal; safety_stock: Prisma.Decimal; state: string | null }[]>`
    SELECT s.store_code, s.sku_code, COALESCE(b.on_hand, 0) AS on_hand, s.safety_stock, a.state
    FROM sku_store_setting s
    JOIN unnest(${unique.map((p) => p.storeCode)}::text[], ${unique.map((p) => p.skuCode)}::text[]) AS v(st, sk) ON s.store_code = v.st AND s.sku_code = v.sk
    LEFT JOIN stock_balance b ON b.store_code = s.store_code AND b.sku_code = s.sku_code
    LEFT JOIN stock_low_alert a ON a.store_code = s.store_code AND a.sku_code = s.sku_code
    WHERE s.safety_stock > 0
    ORDER BY s.store_code, s.sku_code`;
  for (const row of rows) {
    const low = new Prisma.Decimal(row.on_hand).lessThan(row.safety_stock);
    if (low && row.state !== 'low') await raiseAlert(db, config, row.store_code, row.sku_code, now);
    else if (!low && row.state === 'low') await db.stockLowAlert.updateMany({ where: { storeCode: row.store_code, skuCode: row.sku_code, state: 'low' }, data: { state: 'ok', recoveredAt: now } });
  }
}

/**
 * `stock.sweepSafetyStock`: finds every store and SKU whose alert state disagrees with its
 * on-hand, in one query. Moves cannot be missed (booking runs the check for every move); what
 * the sweep is for is the other side of the comparison: a master-data import (sku-settings)
 * that raises a store's safety stock above its on-hand, or lowers it below, changes no move.
 */
export async function sweepSafetyStock(job: JobContext): Promise<void> {
  const stale = await job.db.$queryRaw<{ store_code: string; sku_code: string }[]>`
    SELECT s.store_code, s.sku_code
    FROM sku_store_setting s
    LEFT JOIN stock_balance b ON b.store_code = s.store_code AND b.sku_code = s.sku_code
    LEFT JOIN stock_low_alert a ON a.store_code = s.store_code AND a.sku_code = s.sku_code
    WHERE s.safety_stock > 0
      AND ((COALESCE(b.on_hand, 0) < s.safety_stock AND a.state IS DISTINCT FROM 'low')
        OR (COALESCE(b.on_hand, 0) >= s.safety_stock AND a.state = 'low'))
    ORDER BY s.store_code, s.sku_code`;
  const byStore = new Map<string, string[]>();
  for (const row of stale) byStore.set(row.store_code, [...(byStore.get(row.store_code) ?? []), row.sku_code]);
  for (const [storeCode, skuCodes] of byStore) {
    try {
      await job.db.$transaction((tx) => checkSafetyStock(tx, job.config, storeCode, skuCodes, job.clock.now()));
    } catch (err) {
      job.log.error({ err, storeCode }, 'could not check safety stock for a store');
    }
  }
}

async function raiseAlert(db: DbTx, config: AfterMoveAlertConfig, storeCode: string, skuCode: string, now: Date): Promise<void> {
  // Claim the step to low first: of two transactions seeing the same drop, one sends.
  await db.$executeRaw`INSERT INTO stock_low_alert (store_code, sku_code, state, on_hand, reorder_quantity)
    VALUES (${storeCode}, ${skuCode}, 'ok', 0, 0) ON CONFLICT DO NOTHING`;
  const [claimed] = await db.$queryRaw<{ state: string }[]>`
    SELECT state FROM stock_low_alert WHERE store_code = ${storeCode} AND sku_code = ${skuCode} FOR UPDATE`;
  if (claimed.state === 'low') return;
  const [sku, setting, balance, store] = await Promise.all([
    db.sku.findUniqueOrThrow({ where: { code: skuCode } }),
    db.skuStoreSetting.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode, skuCode } } }),
    db.stockBalance.findUnique({ where: { storeCode_skuCode: { storeCode, skuCode } } }),
    db.store.findUniqueOrThrow({ where: { code: storeCode } }),
  ]);
  const onHand = balance?.onHand.toNumber() ?? 0;
  const cover = await forecastCover(db, config, storeCode, skuCode, now);
  const incoming = await incomingQuantity(db, storeCode, skuCode);
  const reorder = reorderQuantity({ safetyStock: setting.safetyStock.toNumber(), coverUsage: cover, onHand, incoming });
  await db.stockLowAlert.update({ where: { storeCode_skuCode: { storeCode, skuCode } }, data: { state: 'low', onHand, reorderQuantity: reorder, alertedAt: now, recoveredAt: null } });

  const packs = [...(sku.packUnits as { unit: string; factor: number }[])].sort((a, b) => b.factor - a.factor);
  const inPacks = packs.length > 0 && reorder > 0 ? `（约 ${Math.ceil(reorder / packs[0].factor)}${packs[0].unit}）` : '';
  const lines = [
    `【低于安全库存】${store.name} ${sku.name}（${chainTimeText(now, config.timezone)}）`,
    `现有 ${format(onHand)}${sku.baseUnit}，安全库存 ${format(setting.safetyStock)}${sku.baseUnit}${incoming > 0 ? `，在途 ${format(incoming)}${sku.baseUnit}` : ''}`,
    reorder > 0
      ? `建议补货 ${format(reorder)}${sku.baseUnit}${inPacks}：补到安全库存加 ${config.stockChecks.reorderCoverDays} 天预计用量（${format(cover)}${sku.baseUnit}）`
      : '在途到货已够补到安全库存，暂不需要再订。',
  ];
  const managers = await nearestManagerIds(db, storeCode);
  await enqueue(
    db,
    managers.map((to) => ({ to, content: text(lines.join('\n')), idempotencyKey: `stock.low:${storeCode}:${skuCode}:${now.getTime()}:${to}` })),
    now,
  );
}

/** Enough to get back to safety stock and cover the forecast usage, less what is already on its way. */
export function reorderQuantity(f: { safetyStock: number; coverUsage: number; onHand: number; incoming: number }): number {
  return Math.max(0, Math.ceil(f.safetyStock + f.coverUsage - f.onHand - f.incoming));
}

/** Forecast usage over the reorder cover, from today. */
async function forecastCover(db: DbTx, config: AfterMoveAlertConfig, storeCode: string, skuCode: string, now: Date): Promise<number> {
  const days = config.stockChecks.reorderCoverDays;
  if (days <= 0) return 0;
  const window = historyWindow(chainDate(now, config.timezone), (d) => startOfChainDate(d, config.timezone));
  const [series] = await dailyUsageSeries(db, { timezone: config.timezone, ...window, storeCode, skuCode });
  if (!series) return 0;
  const daily = forecastDaily(series.usage, series.firstDate, Math.ceil(days));
  return Math.round(daily.reduce((a, b) => a + b, 0) * (days / Math.ceil(days)) * 1000) / 1000;
}

/** Expected deliveries not yet booked: on their way to the store. */
async function incomingQuantity(db: DbTx, storeCode: string, skuCode: string): Promise<number> {
  const [row] = await db.$queryRaw<{ missing: Prisma.Decimal | null }[]>`
    SELECT SUM(l.quantity - l.booked_quantity) AS missing
    FROM stock_delivery_line l JOIN stock_delivery d ON d.id = l.delivery_id
    WHERE d.store_code = ${storeCode} AND l.sku_code = ${skuCode} AND d.booked_at IS NULL AND l.booked_quantity < l.quantity`;
  return row.missing ? new Prisma.Decimal(row.missing).toNumber() : 0;
}
