import type { PartMeasure, ScorePartSource } from '../../bot/registry';
import { format } from './ledger';
import { countAccuracy, variance, varianceLines, type VarianceLine } from './counts';

/** Losses named per store: the monthly push shows the top three; managers may look at a few more. */
const MAX_LOSSES = 10;

/**
 * The inventory-accuracy part of the monthly health score, from the counts of each store closed
 * in the period (closed, or closed and approved): every counted SKU of every such count compared
 * with the book when it was counted. ratio = 1 − Σ|counted − book| / Σ book by quantity; the facts
 * also give the same by cost and the share of SKUs within ±2%. A store with no closed count in
 * the period is absent.
 */
export const measureInventoryAccuracy: ScorePartSource = async (db, period, storeCodes) => {
  const counts = await db.stockCount.findMany({
    where: { storeCode: { in: storeCodes }, status: { in: ['closed', 'approved'] }, closedAt: { gte: period.start, lt: period.end } },
    select: { id: true, storeCode: true },
  });
  const storeOf = new Map(counts.map((c) => [c.id, c.storeCode]));
  // Grouped once: a month of a large chain is hundreds of thousands of lines.
  const linesOf = new Map<string, VarianceLine[]>();
  const countsOf = new Map<string, number>();
  for (const c of counts) countsOf.set(c.storeCode, (countsOf.get(c.storeCode) ?? 0) + 1);
  for (const line of await varianceLines(db, counts.map((c) => c.id))) {
    const storeCode = storeOf.get(line.countId)!;
    const own = linesOf.get(storeCode);
    if (own) own.push(line);
    else linesOf.set(storeCode, [line]);
  }
  const measures = new Map<string, PartMeasure>();
  for (const [storeCode, own] of linesOf) {
    const accuracy = countAccuracy(own);
    const book = own.reduce((sum, l) => sum + Math.max(l.book, 0), 0);
    // Each SKU's share of what the ratio lost: its |difference| over the book it was measured against.
    const bySku = new Map<string, { name: string; unit: string; net: number; absolute: number }>();
    for (const l of own) {
      const entry = bySku.get(l.skuCode) ?? { name: l.name, unit: l.unit, net: 0, absolute: 0 };
      entry.net += variance(l);
      entry.absolute += Math.abs(variance(l));
      bySku.set(l.skuCode, entry);
    }
    const losses = [...bySku.values()]
      .filter((s) => s.absolute > 0)
      .sort((a, b) => b.absolute - a.absolute)
      .slice(0, MAX_LOSSES)
      .map((s) => ({ label: `${s.name} ${s.net < 0 ? '盘亏' : '盘盈'} ${format(Math.abs(s.net) || s.absolute)}${s.unit}`, lost: book > 0 ? Math.min(1, s.absolute / book) : 1 }));
    measures.set(storeCode, {
      ratio: accuracy.byQuantity,
      facts: {
        counts: countsOf.get(storeCode)!,
        skusCounted: accuracy.skus,
        accuracyByQuantity: round(accuracy.byQuantity),
        accuracyByCost: round(accuracy.byCost),
        withinTolerance: round(accuracy.withinTolerance),
      },
      losses,
    });
  }
  return measures;
};

const round = (ratio: number) => Math.round(ratio * 10_000) / 10_000;
