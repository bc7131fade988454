import type { CountTolerance } from './settings';
import type { DbTx } from '../../db';

/**
 * Count (盘点) accuracy, as the README defines it. Each counted SKU compares its counted
 * quantity with the book at the moment it was counted:
 *  - within tolerance: |counted − book| ≤ the SKU's own tolerance (master data), else its
 *    category's (COUNT_TOLERANCE_BY_CATEGORY), else the chain's (COUNT_TOLERANCE_PERCENT) × book
 *    (a SKU with no stock in the book must be counted as none);
 *  - accuracy by quantity: 1 − Σ|counted − book| / Σ book, in base units, at least 0;
 *  - accuracy by cost: the same with each SKU's quantities priced at its cost price.
 */

/** ±2%, what COUNT_TOLERANCE_PERCENT defaults to. */
export const DEFAULT_COUNT_TOLERANCE: CountTolerance = { share: 0.02, byCategory: {} };

/** The share of the book a line may be off: the SKU's own, else its category's, else the chain's. */
export function toleranceShare(line: Pick<VarianceLine, 'category' | 'skuTolerance'>, tolerance: CountTolerance): number {
  return line.skuTolerance ?? (line.category !== null ? tolerance.byCategory[line.category] : undefined) ?? tolerance.share;
}

export interface VarianceLine {
  skuCode: string;
  name: string;
  unit: string;
  category: string | null;
  /** The SKU's own tolerance (share of the book) from master data; null: its category's or the chain's. */
  skuTolerance: number | null;
  costPrice: number;
  counted: number;
  /** On-hand in the book when the SKU was counted. */
  book: number;
}

export interface CountAccuracy {
  skus: number;
  /** Share of SKUs within tolerance, 0..1. */
  withinTolerance: number;
  byQuantity: number;
  byCost: number;
}

/** `±2%`, or `±2%（乳品 ±1%，奶油 ±5%）` when categories or SKUs counted have their own. */
export function toleranceText(lines: Pick<VarianceLine, 'category' | 'skuTolerance' | 'name'>[], tolerance: CountTolerance): string {
  const pm = (share: number) => `±${Math.round(share * 10_000) / 100}%`;
  const categories = [...new Set(lines.flatMap((l) => (l.category !== null && l.category in tolerance.byCategory && tolerance.byCategory[l.category] !== tolerance.share ? [l.category] : [])))].sort();
  const own = [...categories.map((c) => `${c} ${pm(tolerance.byCategory[c])}`), ...lines.filter((l) => l.skuTolerance !== null).map((l) => `${l.name} ${pm(l.skuTolerance!)}`)];
  return `${pm(tolerance.share)}${own.length ? `（${own.slice(0, 5).join('，')}${own.length > 5 ? ' 等' : ''}）` : ''}`;
}

export const variance = (line: VarianceLine) => line.counted - line.book;

export function isWithinTolerance(line: VarianceLine, tolerance: CountTolerance): boolean {
  return Math.abs(variance(line)) <= toleranceShare(line, tolerance) * Math.abs(line.book) + 1e-9;
}

/** 1 − Σ|difference| / Σ book, never below 0; a book of nothing is accurate only if nothing was found. */
export function accuracyRatio(absoluteDifference: number, book: number): number {
  if (book <= 0) return absoluteDifference === 0 ? 1 : 0;
  return Math.max(0, 1 - absoluteDifference / book);
}

export function countAccuracy(lines: VarianceLine[], tolerance: CountTolerance): CountAccuracy {
  let diff = 0;
  let book = 0;
  let diffCost = 0;
  let bookCost = 0;
  for (const line of lines) {
    diff += Math.abs(variance(line));
    book += Math.max(line.book, 0);
    diffCost += Math.abs(variance(line)) * line.costPrice;
    bookCost += Math.max(line.book, 0) * line.costPrice;
  }
  return {
    skus: lines.length,
    withinTolerance: lines.length ? lines.filter((l) => isWithinTolerance(l, tolerance)).length / lines.length : 1,
    byQuantity: accuracyRatio(diff, book),
    byCost: accuracyRatio(diffCost, bookCost),
  };
}

/** The latest entry of each SKU counted in these counts, with what pricing and naming needs. */
export async function varianceLines(db: DbTx, countIds: bigint[]): Promise<(VarianceLine & { countId: bigint })[]> {
  if (countIds.length === 0) return [];
  const rows = await db.$queryRaw<
    { count_id: bigint; sku_code: string; name: string; unit: string; category: string | null; tolerance: string | null; cost_price: string; counted: string; book: string }[]
  >`
    SELECT DISTINCT ON (e.count_id, e.sku_code) e.count_id, e.sku_code, s.name, s.base_unit AS unit, s.category, s.count_tolerance_percent::text AS tolerance, s.cost_price::text, e.counted::text, e.book::text
    FROM stock_count_entry e JOIN sku s ON s.code = e.sku_code
    WHERE e.count_id = ANY(${countIds})
    ORDER BY e.count_id, e.sku_code, e.id DESC`;
  return rows.map((r) => ({
    countId: r.count_id,
    skuCode: r.sku_code,
    name: r.name,
    unit: r.unit,
    category: r.category,
    skuTolerance: r.tolerance === null ? null : Number(r.tolerance) / 100,
    costPrice: Number(r.cost_price),
    counted: Number(r.counted),
    book: Number(r.book),
  }));
}

/** SKUs in the count's scope with stock in the book that nobody counted: reported, never adjusted. */
export async function uncountedWithStock(db: DbTx, count: { id: bigint; storeCode: string; category: string | null }): Promise<{ name: string; unit: string; onHand: number }[]> {
  const rows = await db.$queryRaw<{ name: string; unit: string; on_hand: string }[]>`
    SELECT s.name, s.base_unit AS unit, b.on_hand::text
    FROM stock_balance b JOIN sku s ON s.code = b.sku_code
    WHERE b.store_code = ${count.storeCode} AND b.on_hand <> 0
      AND (${count.category}::text IS NULL OR s.category = ${count.category})
      AND NOT EXISTS (SELECT 1 FROM stock_count_entry e WHERE e.count_id = ${count.id} AND e.sku_code = b.sku_code)
    ORDER BY s.name`;
  return rows.map((r) => ({ name: r.name, unit: r.unit, onHand: Number(r.on_hand) }));
}
