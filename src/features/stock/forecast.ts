import type { DbTx } from '../../db';
import { Prisma } from '../../generated/prisma/client';
import { addDays, weekdayOf } from '../../timezone';
import type { LedgerKind } from './move-kinds';

/**
 * Usage forecasts from the ledger. Usage is what leaves the shelf for the store's trade — sales,
 * waste, transfers out and ingredients taken for production (a move undone by a reversal counts
 * for neither): a raw ingredient cooked into a prepared one (生珍珠 into 煮好的珍珠) is used up by the
 * production, not by a sale. The daily series is
 * built in SQL over the chain's days; the model is additive Holt-Winters with a damped trend and a
 * weekday pattern (period 7), fitted by exponential smoothing.
 */

export const USAGE_KINDS: LedgerKind[] = ['sale', 'waste', 'transfer_out', 'production_out'];
/** How far back the series reaches: eight weeks gives every weekday eight observations. */
export const HISTORY_DAYS = 56;

export interface SmoothingParameters {
  /** Level. */
  alpha: number;
  /** Trend. */
  beta: number;
  /** Weekday pattern. */
  gamma: number;
  /** Trend damping: the trend fades out over the horizon instead of running away. */
  phi: number;
}

export const DEFAULT_PARAMETERS: SmoothingParameters = { alpha: 0.3, beta: 0.05, gamma: 0.3, phi: 0.8 };

/**
 * Forecasts `horizon` days after a daily series whose first day is `firstDate` (YYYY-MM-DD).
 * Under a week of history there is no weekday pattern to learn: the level is smoothed alone.
 * Never negative: a store cannot use less than nothing.
 */
export function forecastDaily(series: number[], firstDate: string, horizon: number, p: SmoothingParameters = DEFAULT_PARAMETERS): number[] {
  if (series.length === 0) return Array.from({ length: horizon }, () => 0);
  const weekday = (i: number) => (weekdayOf(firstDate) + i) % 7;
  const seasonal = Array.from({ length: 7 }, () => 0);
  let level: number;
  let trend = 0;
  let start: number;
  if (series.length >= 14) {
    // Two full weeks: the first sets the level and the weekday offsets, the second the trend.
    const week1 = series.slice(0, 7);
    const week2 = series.slice(7, 14);
    const mean1 = week1.reduce((a, b) => a + b, 0) / 7;
    const mean2 = week2.reduce((a, b) => a + b, 0) / 7;
    week1.forEach((u, i) => (seasonal[weekday(i)] = (u + week2[i]) / 2 - (mean1 + mean2) / 2));
    level = mean1;
    trend = (mean2 - mean1) / 7;
    start = 7;
  } else {
    level = series[0];
    start = 1;
  }
  const withSeason = series.length >= 14;
  for (let t = start; t < series.length; t++) {
    const s = withSeason ? seasonal[weekday(t)] : 0;
    const previousLevel = level;
    level = p.alpha * (series[t] - s) + (1 - p.alpha) * (previousLevel + p.phi * trend);
    trend = p.beta * (level - previousLevel) + (1 - p.beta) * p.phi * trend;
    if (withSeason) seasonal[weekday(t)] = p.gamma * (series[t] - level) + (1 - p.gamma) * s;
  }
  const out: number[] = [];
  let damped = 0;
  for (let h = 1; h <= horizon; h++) {
    damped += p.phi ** h;
    const s = withSeason ? seasonal[weekday(series.length - 1 + h)] : 0;
    out.push(Math.max(0, level + damped * trend + s));
  }
  return out;
}

export interface DailySeries {
  storeCode: string;
  skuCode: string;
  firstDate: string;
  usage: number[];
}

/**
 * Daily usage per store and SKU over the chain-local days [fromDate, toDate), one set-based
 * query: days without usage are zeros (generate_series), and each series starts on the first day
 * the SKU moved in the store within the window, so days before it was stocked do not drag the
 * average down. Pairs that moved but were never used get a series of zeros.
 */
export async function dailyUsageSeries(db: DbTx, opts: { timezone: string; fromDate: string; toDate: string; from: Date; to: Date; storeCode?: string; skuCode?: string }): Promise<DailySeries[]> {
  const store = opts.storeCode ?? null;
  const sku = opts.skuCode ?? null;
  const rows = await db.$queryRaw<{ store_code: string; sku_code: string; day: string; used: Prisma.Decimal }[]>`
    WITH moved AS (
      SELECT m.store_code, m.sku_code, (m.occurred_at AT TIME ZONE ${opts.timezone})::date AS day,
             SUM(CASE WHEN m.kind = ANY(${USAGE_KINDS}) AND NOT EXISTS (SELECT 1 FROM stock_move r WHERE r.reverses_id = m.id)
                      THEN -m.quantity ELSE 0 END) AS used
      FROM stock_move m
      WHERE m.occurred_at >= ${opts.from} AND m.occurred_at < ${opts.to}
        AND (${store}::text IS NULL OR m.store_code = ${store}) AND (${sku}::text IS NULL OR m.sku_code = ${sku})
      GROUP BY 1, 2, 3
    ),
    pairs AS (SELECT store_code, sku_code, MIN(day) AS first_day FROM moved GROUP BY 1, 2)
    SELECT p.store_code, p.sku_code, to_char(d.day, 'YYYY-MM-DD') AS day, COALESCE(m.used, 0) AS used
    FROM pairs p
    CROSS JOIN LATERAL (SELECT g::date AS day FROM generate_series(p.first_day, ${opts.toDate}::date - 1, interval '1 day') g) d
    LEFT JOIN moved m ON m.store_code = p.store_code AND m.sku_code = p.sku_code AND m.day = d.day
    ORDER BY p.store_code, p.sku_code, d.day`;
  const series: DailySeries[] = [];
  for (const row of rows) {
    const last = series.at(-1);
    const used = Math.max(0, new Prisma.Decimal(row.used).toNumber());
    if (last && last.storeCode === row.store_code && last.skuCode === row.sku_code) last.usage.push(used);
    else series.push({ storeCode: row.store_code, skuCode: row.sku_code, firstDate: row.day, usage: [used] });
  }
  return series;
}

/** The window of history ending before `today` (chain-local date), as dates and instants. */
export function historyWindow(today: string, startOf: (date: string) => Date): { fromDate: string; toDate: string; from: Date; to: Date } {
  const fromDate = addDays(today, -HISTORY_DAYS);
  return { fromDate, toDate: today, from: startOf(fromDate), to: startOf(today) };
}

/**
 * The first day (0 = today) on which stock runs out: on-hand plus what arrives each day, minus
 * the forecast usage; null when it lasts the horizon.
 */
export function runOutDay(onHand: number, usage: number[], incoming: number[]): number | null {
  let stock = onHand;
  for (let d = 0; d < usage.length; d++) {
    stock += incoming[d] ?? 0;
    stock -= usage[d];
    if (stock < 0) return d;
  }
  return null;
}
