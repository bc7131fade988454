import type { JobContext } from '../../bot/context';
import type { DbTx } from '../../db';
import { Prisma } from '../../generated/prisma/client';
import { enqueue } from '../../platform/outbox';
import { text } from '../../platform/outbound';
import { addDays, chainDate, daysBetween, startOfChainDate, weekdayText } from '../../timezone';
import { dailyUsageSeries, forecastDaily, historyWindow, runOutDay } from './forecast';
import { format } from './ledger';
import { nearestManagerIds } from '../../people';

/** Every morning at 07:00 in the chain's time zone, before the stores open for the day. */
export const STOCKOUT_SCHEDULE = '0 7 * * *';
export const HORIZON_DAYS = 7;

export interface StockoutRisk {
  skuCode: string;
  skuName: string;
  unit: string;
  onHand: number;
  /** Forecast usage per day, today first. */
  usage: number[];
  /** Chain-local date on which it runs out. */
  runOutDate: string;
}

/**
 * `stock.warnStockouts`: for each store, forecasts the next seven days' usage of every SKU it
 * uses and sets it against on-hand plus what is coming (expected deliveries not yet booked,
 * transfers in transit); the store manager gets one message listing the SKUs likely to run out,
 * each with the day. One store's failure does not stop the others; a re-run of the same morning
 * sends nothing twice.
 */
export async function warnStockouts(job: JobContext): Promise<void> {
  const tz = job.config.timezone;
  const now = job.clock.now();
  const today = chainDate(now, tz);
  const stores = await job.db.store.findMany({ orderBy: { code: 'asc' } });
  for (const store of stores) {
    try {
      const risks = await stockoutRisks(job.db, store.code, today, tz);
      if (risks.length === 0) continue;
      const lines = [`【断货预警】${store.name} 未来 ${HORIZON_DAYS} 天可能断货 ${risks.length} 项：`];
      for (const r of risks) {
        const daily = r.usage.reduce((a, b) => a + b, 0) / r.usage.length;
        const when = r.runOutDate === today ? '今天' : `${Number(r.runOutDate.slice(5, 7))}月${Number(r.runOutDate.slice(8))}日（${weekdayText(r.runOutDate)}）`;
        lines.push(`· ${r.skuName}：现有 ${format(r.onHand)}${r.unit}，日均约 ${format(Math.round(daily * 10) / 10)}${r.unit}，预计${when}用完`);
      }
      const managers = await nearestManagerIds(job.db, store.code);
      await enqueue(
        job.db,
        managers.map((to) => ({ to, content: text(lines.join('\n')), idempotencyKey: `stock.stockout:${store.code}:${today}:${to}` })),
        now,
      );
    } catch (err) {
      job.log.error({ err, storeCode: store.code }, 'stockout forecast failed for a store');
    }
  }
}

/** The SKUs of one store that run out within the horizon, the soonest first. */
export async function stockoutRisks(db: DbTx, storeCode: string, today: string, timezone: string): Promise<StockoutRisk[]> {
  const startOf = (d: string) => startOfChainDate(d, timezone);
  const series = await dailyUsageSeries(db, { timezone, ...historyWindow(today, startOf), storeCode });
  if (series.length === 0) return [];
  const skuCodes = series.map((s) => s.skuCode);
  const [balances, skus, incoming] = await Promise.all([
    db.stockBalance.findMany({ where: { storeCode, skuCode: { in: skuCodes } } }),
    db.sku.findMany({ where: { code: { in: skuCodes } } }),
    incomingByDay(db, storeCode, today, timezone),
  ]);
  const onHand = new Map(balances.map((b) => [b.skuCode, b.onHand.toNumber()]));
  const skuByCode = new Map(skus.map((s) => [s.code, s]));
  const risks: (StockoutRisk & { day: number })[] = [];
  for (const s of series) {
    const usage = forecastDaily(s.usage, s.firstDate, HORIZON_DAYS);
    const stock = onHand.get(s.skuCode) ?? 0;
    const day = runOutDay(stock, usage, incoming.get(s.skuCode) ?? []);
    const sku = skuByCode.get(s.skuCode);
    if (day === null || !sku) continue;
    risks.push({ skuCode: s.skuCode, skuName: sku.name, unit: sku.baseUnit, onHand: stock, usage, runOutDate: addDays(today, day), day });
  }
  return risks.sort((a, b) => a.day - b.day || a.skuCode.localeCompare(b.skuCode)).map(({ day: _day, ...risk }) => risk);
}

/**
 * What arrives per SKU on each day of the horizon (index 0 = today): unbooked expected deliveries
 * on their expected day (overdue ones today), and transfers in transit today.
 */
async function incomingByDay(db: DbTx, storeCode: string, today: string, timezone: string): Promise<Map<string, number[]>> {
  const end = startOfChainDate(addDays(today, HORIZON_DAYS), timezone);
  const rows = await db.$queryRaw<{ sku_code: string; day: string; quantity: Prisma.Decimal }[]>`
    SELECT l.sku_code, to_char(GREATEST((d.expected_at AT TIME ZONE ${timezone})::date, ${today}::date), 'YYYY-MM-DD') AS day,
           SUM(l.quantity - l.booked_quantity) AS quantity
    FROM stock_delivery_line l JOIN stock_delivery d ON d.id = l.delivery_id
    WHERE d.store_code = ${storeCode} AND d.booked_at IS NULL AND l.booked_quantity < l.quantity AND d.expected_at < ${end}
    GROUP BY 1, 2`;
  const inTransit = await db.$queryRaw<{ sku_code: string; quantity: Prisma.Decimal }[]>`
    SELECT sku_code, SUM(quantity) AS quantity FROM stock_transfer WHERE to_store = ${storeCode} AND status = 'in_transit' GROUP BY 1`;
  rows.push(...inTransit.map((t) => ({ sku_code: t.sku_code, day: today, quantity: t.quantity })));
  const byDay = new Map<string, number[]>();
  for (const row of rows) {
    const index = daysBetween(today, row.day);
    const days = byDay.get(row.sku_code) ?? Array.from({ length: HORIZON_DAYS }, () => 0);
    days[index] += new Prisma.Decimal(row.quantity).toNumber();
    byDay.set(row.sku_code, days);
  }
  return byDay;
}
