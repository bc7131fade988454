import type { PartMeasure, ScorePartSource } from '../../bot/registry';
import type { CountTolerance } from './settings';
import { Prisma } from '../../generated/prisma/client';
import { format } from './ledger';
import { accuracyRatio } from './counts';

/** Losses named per store: the monthly push shows the top three; managers may look at a few more. */
const MAX_LOSSES = 10;

/**
 * The inventory-accuracy part of the monthly health score, from the counts of each store closed
 * in the period (closed, or closed and approved): every counted SKU of every such count compared
 * with the book when it was counted. ratio = 1 − Σ|counted − book| / Σ book by quantity; the facts
 * also give the same by cost and the share of SKUs within their count tolerance (the SKU's own,
 * else its category's, else the chain's: toleranceShare in counts.ts). A store with no closed
 * count in the period is absent.
 *
 * Summed in the database, with the definitions of counts.ts (countAccuracy): a month of a large
 * chain is hundreds of thousands of counted lines, and bringing them over costs many times what
 * summing them does. Only the SKUs that lost the most come back as rows.
 */
export const inventoryAccuracyPart =
  (tolerance: CountTolerance): ScorePartSource =>
  async (db, period, storeCodes) => {
    // The latest entry of each SKU in each count, as varianceLines reads a count, with its tolerance as toleranceShare resolves it.
    const lines = Prisma.sql`
    SELECT DISTINCT ON (e.count_id, e.sku_code) c.store_code, e.count_id, e.sku_code, e.counted - e.book AS diff, e.book, s.cost_price, s.name, s.base_unit AS unit,
           coalesce(s.count_tolerance_percent / 100, (${JSON.stringify(tolerance.byCategory)}::jsonb ->> s.category)::numeric, ${tolerance.share}::numeric) AS tolerance
    FROM stock_count c JOIN stock_count_entry e ON e.count_id = c.id JOIN sku s ON s.code = e.sku_code
    WHERE c.store_code = ANY(${storeCodes}) AND c.status IN ('closed', 'approved') AND c.closed_at >= ${period.start} AND c.closed_at < ${period.end}
    ORDER BY e.count_id, e.sku_code, e.id DESC`;
    const stores = await db.$queryRaw<{ store_code: string; counts: number; skus: number; within: number; diff: number; book: number; diff_cost: number; book_cost: number }[]>`
    SELECT store_code, count(DISTINCT count_id)::int AS counts, count(*)::int AS skus,
           (count(*) FILTER (WHERE abs(diff) <= tolerance * abs(book)))::int AS within,
           sum(abs(diff))::float8 AS diff, sum(greatest(book, 0))::float8 AS book,
           sum(abs(diff) * cost_price)::float8 AS diff_cost, sum(greatest(book, 0) * cost_price)::float8 AS book_cost
    FROM (${lines}) AS l
    GROUP BY store_code`;
    // Each SKU's share of what the ratio lost: its |difference| over the book it was measured against.
    const skus = await db.$queryRaw<{ store_code: string; name: string; unit: string; net: number; absolute: number }[]>`
    SELECT store_code, name, unit, net, absolute
    FROM (SELECT store_code, sku_code, min(name) AS name, min(unit) AS unit, sum(diff)::float8 AS net, sum(abs(diff))::float8 AS absolute,
                 row_number() OVER (PARTITION BY store_code ORDER BY sum(abs(diff)) DESC, sku_code) AS rank
          FROM (${lines}) AS l
          WHERE diff <> 0
          GROUP BY store_code, sku_code) AS ranked
    WHERE rank <= ${MAX_LOSSES}
    ORDER BY store_code, rank`;
    const lossesOf = new Map<string, typeof skus>();
    for (const sku of skus) lossesOf.set(sku.store_code, [...(lossesOf.get(sku.store_code) ?? []), sku]);
    const measures = new Map<string, PartMeasure>();
    for (const s of stores) {
      const byQuantity = accuracyRatio(s.diff, s.book);
      measures.set(s.store_code, {
        ratio: byQuantity,
        facts: {
          counts: s.counts,
          skusCounted: s.skus,
          accuracyByQuantity: round(byQuantity),
          accuracyByCost: round(accuracyRatio(s.diff_cost, s.book_cost)),
          withinTolerance: round(s.within / s.skus),
        },
        losses: (lossesOf.get(s.store_code) ?? []).map((l) => ({
          label: `${l.name} ${l.net < 0 ? '盘亏' : '盘盈'} ${format(Math.abs(l.net) || l.absolute)}${l.unit}`,
          lost: s.book > 0 ? Math.min(1, l.absolute / s.book) : 1,
        })),
      });
    }
    return measures;
  };

const round = (ratio: number) => Math.round(ratio * 10_000) / 10_000;
