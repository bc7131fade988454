import { Prisma } from '../../../generated/prisma/client';
import type { DbTx } from '../../../db';

/**
 * Theoretical vs actual usage (理论用量 vs 实际用量) of a SKU in a store over a count period: from
 * one approved count of the store that counted the SKU to the next one that counted it again.
 *
 *   actual      = opening count + receipts + transfers in − transfers out − returns + production in − closing count
 *   theoretical = sales + waste + production out            (what the ledger says left the shelf for the trade)
 *   variance    = actual − theoretical                      (> 0: more left the shelf than anything explains)
 *
 * With signed ledger quantities that is: actual = opening + Σ(receipt, transfer_in, transfer_out,
 * return, production_in) − closing, theoretical = −Σ(sale, waste, production_out). Count
 * adjustments are bookkeeping, not usage.
 *
 * **Which moves belong to a period.** A count entry records the shelf at the moment it was made
 * (`counted_at`): what is counted is what physically happened before it. So a move is in the period
 * when it *occurred* (occurred_at, not when it was booked) after the opening entry of the SKU and
 * at or before the closing entry (opening counted_at, closing counted_at] — a sale that happened at
 * 09:55 and reached us at 10:30 was gone when the shelf was counted at 10:00. A reversal (撤销, a
 * cancelled transfer) says its move never happened: it counts as the kind of the move it reverses
 * and in that move's period, so the two cancel out there, even when the undo came after the
 * count. The report is worked out whenever it is asked for, so a move of the period posted late
 * shows on the next reading.
 *
 * Sales revenue, for the variance as a share of sales, is the till's: the store's menu item lines
 * (stock_sale_line) sold between the two counts' closing (结束盘点) times, each its `amount`, or the
 * menu price × quantity where the till sent none.
 */

/** The kinds whose signed sum is the actual usage's flows; the kinds whose negated sum is the theoretical usage. */
export const FLOW_KINDS = ['receipt', 'transfer_in', 'transfer_out', 'return', 'production_in'] as const;
export const USED_KINDS = ['sale', 'waste', 'production_out'] as const;
export type UsageKind = (typeof FLOW_KINDS)[number] | (typeof USED_KINDS)[number];

/** Signed quantities (base units) per kind over a period; a kind without moves is 0. */
export type KindSums = Record<UsageKind, number>;

export interface UsageFigures {
  actual: number;
  theoretical: number;
  variance: number;
}

/** The period arithmetic, from the two counted quantities and the period's moves by kind. */
export function usageFigures(opening: number, closing: number, sums: KindSums): UsageFigures {
  const flows = FLOW_KINDS.reduce((sum, kind) => sum + sums[kind], 0);
  const actual = opening + flows - closing;
  const theoretical = USED_KINDS.reduce((sum, kind) => sum - sums[kind], 0);
  return { actual, theoretical, variance: actual - theoretical };
}

export interface UsageLine extends UsageFigures {
  storeCode: string;
  /** The approved count closing the period, and when it was closed. */
  countId: bigint;
  closedAt: Date;
  /** The approved count opening it: the store's latest before, of those that counted the SKU. */
  openingCountId: bigint;
  openingClosedAt: Date;
  skuCode: string;
  name: string;
  unit: string;
  costPrice: number;
  opening: number;
  closing: number;
  sums: KindSums;
  /** variance × cost price. */
  varianceCost: number;
  theoreticalCost: number;
  actualCost: number;
  /** The store's menu sales between the two counts' closings; null: nothing sold through the till. */
  revenue: number | null;
}

/** Which closing counts: those given, or the approved counts of these stores closed in [from, to). */
export type UsageScope = { countIds: bigint[] } | { storeCodes: string[]; closedFrom: Date; closedTo: Date };

/**
 * Every period closed by the approved counts in scope, one line per counted SKU that an earlier
 * approved count of the store counted too (a SKU counted for the first time has no period). In one
 * statement: a month of a chain's counts is many thousand lines.
 */
export async function usageLines(db: DbTx, scope: UsageScope): Promise<UsageLine[]> {
  const which =
    'countIds' in scope ? Prisma.sql`c.id = ANY(${scope.countIds})` : Prisma.sql`c.store_code = ANY(${scope.storeCodes}) AND c.closed_at >= ${scope.closedFrom} AND c.closed_at < ${scope.closedTo}`;
  const kinds = [...FLOW_KINDS, ...USED_KINDS];
  const rows = await db.$queryRaw<Record<string, string | bigint | Date | null>[]>`
    WITH closing AS (
      SELECT DISTINCT ON (e.count_id, e.sku_code) c.store_code, c.id AS count_id, c.closed_at, e.sku_code, e.counted, e.counted_at
      FROM stock_count c JOIN stock_count_entry e ON e.count_id = c.id
      WHERE c.status = 'approved' AND ${which}
      ORDER BY e.count_id, e.sku_code, e.id DESC
    ), periods AS (
      SELECT cl.store_code, cl.count_id, cl.closed_at, cl.sku_code, cl.counted AS closing, cl.counted_at AS closing_at,
             op.count_id AS opening_count_id, op.closed_at AS opening_closed_at, op.counted AS opening, op.counted_at AS opening_at
      FROM closing cl
      CROSS JOIN LATERAL (
        -- A store has one count open at a time, so its counts are approved in the order of their ids.
        SELECT c2.id AS count_id, c2.closed_at, e2.counted, e2.counted_at
        FROM stock_count c2 JOIN stock_count_entry e2 ON e2.count_id = c2.id
        WHERE c2.store_code = cl.store_code AND c2.status = 'approved' AND c2.id < cl.count_id AND e2.sku_code = cl.sku_code
        ORDER BY c2.id DESC, e2.id DESC
        LIMIT 1
      ) op
    ), moved AS (
      SELECT p.count_id, p.sku_code, m.kind, m.quantity
      FROM periods p JOIN stock_move m ON m.store_code = p.store_code AND m.sku_code = p.sku_code
        AND m.occurred_at > p.opening_at AND m.occurred_at <= p.closing_at AND m.kind <> 'reversal'
      UNION ALL
      SELECT p.count_id, p.sku_code, o.kind, r.quantity
      FROM periods p JOIN stock_move o ON o.store_code = p.store_code AND o.sku_code = p.sku_code
        AND o.occurred_at > p.opening_at AND o.occurred_at <= p.closing_at
      JOIN stock_move r ON r.reverses_id = o.id
    ), windows AS (
      SELECT w.store_code, w.opening_count_id, w.count_id, count(l.id)::int AS sale_lines,
             sum(coalesce(l.amount, mi.price * l.quantity, 0))::text AS revenue
      FROM (SELECT DISTINCT store_code, opening_count_id, opening_closed_at, count_id, closed_at FROM periods) w
      LEFT JOIN stock_sale_line l ON l.store_code = w.store_code AND l.occurred_at > w.opening_closed_at AND l.occurred_at <= w.closed_at
      LEFT JOIN menu_item mi ON mi.code = l.item_code
      GROUP BY w.store_code, w.opening_count_id, w.count_id
    )
    SELECT p.store_code, p.count_id, p.closed_at, p.opening_count_id, p.opening_closed_at, p.sku_code, s.name, s.base_unit AS unit, s.cost_price::text,
           p.opening::text, p.closing::text, w.sale_lines, w.revenue,
           ${Prisma.join(
             kinds.map((kind) => Prisma.sql`coalesce(sum(mv.quantity) FILTER (WHERE mv.kind = ${kind}), 0)::text AS ${Prisma.raw(`"${kind}"`)}`),
             ', ',
           )}
    FROM periods p
    JOIN sku s ON s.code = p.sku_code
    JOIN windows w ON w.store_code = p.store_code AND w.opening_count_id = p.opening_count_id AND w.count_id = p.count_id
    LEFT JOIN moved mv ON mv.count_id = p.count_id AND mv.sku_code = p.sku_code
    GROUP BY p.store_code, p.count_id, p.closed_at, p.opening_count_id, p.opening_closed_at, p.sku_code, s.name, s.base_unit, s.cost_price, p.opening, p.closing, w.sale_lines, w.revenue
    ORDER BY p.store_code, p.count_id, p.sku_code`;
  return rows.map((r) => {
    const sums = Object.fromEntries(kinds.map((kind) => [kind, Number(r[kind])])) as KindSums;
    const opening = Number(r.opening);
    const closing = Number(r.closing);
    const costPrice = Number(r.cost_price);
    const figures = usageFigures(opening, closing, sums);
    return {
      storeCode: String(r.store_code),
      countId: r.count_id as bigint,
      closedAt: r.closed_at as Date,
      openingCountId: r.opening_count_id as bigint,
      openingClosedAt: r.opening_closed_at as Date,
      skuCode: String(r.sku_code),
      name: String(r.name),
      unit: String(r.unit),
      costPrice,
      opening,
      closing,
      sums,
      ...figures,
      varianceCost: figures.variance * costPrice,
      theoreticalCost: figures.theoretical * costPrice,
      actualCost: figures.actual * costPrice,
      revenue: Number(r.sale_lines) > 0 ? Number(r.revenue) : null,
    };
  });
}

/** Variance money as a share of the period's sales; null (shown as —) with no menu sales to set it against. */
export const shareOfSales = (cost: number, revenue: number | null): number | null => (revenue === null || revenue <= 0 ? null : cost / revenue);

/** Largest variance by money first. */
export const byVarianceCost = (a: UsageLine, b: UsageLine) => Math.abs(b.varianceCost) - Math.abs(a.varianceCost) || a.skuCode.localeCompare(b.skuCode);
