import type { PartMeasure, ScorePartSource } from '../../../bot/registry';
import { accuracyRatio } from '../counts';
import { format } from '../ledger';
import { usageLines, type UsageLine } from './periods';

/** Losses named per store, as the count measure names them. */
const MAX_LOSSES = 10;

/**
 * The health score's inventory accuracy measured by usage variance (STOCK_ACCURACY_MEASURE=usage)
 * instead of count accuracy: over the usage periods of each store closed in the month (their
 * closing count closed in it), ratio = 1 − Σ|variance at cost| / Σ theoretical usage at cost, at
 * least 0 (accuracyRatio: with no theoretical usage, 1 only if nothing is unexplained). A store
 * with no period closed in the month has no measure. Losses: the SKUs whose variance cost the most.
 */
export const usageAccuracyPart: ScorePartSource = async (db, period, storeCodes) => {
  const lines = await usageLines(db, { storeCodes, closedFrom: period.start, closedTo: period.end });
  const byStore = new Map<string, UsageLine[]>();
  for (const line of lines) byStore.set(line.storeCode, [...(byStore.get(line.storeCode) ?? []), line]);
  const measures = new Map<string, PartMeasure>();
  for (const [storeCode, own] of byStore) {
    const theoretical = own.reduce((sum, l) => sum + Math.max(l.theoreticalCost, 0), 0);
    const unexplained = own.reduce((sum, l) => sum + Math.abs(l.varianceCost), 0);
    const bySku = new Map<string, { name: string; unit: string; variance: number; cost: number }>();
    for (const l of own) {
      const sku = bySku.get(l.skuCode) ?? { name: l.name, unit: l.unit, variance: 0, cost: 0 };
      sku.variance += l.variance;
      sku.cost += Math.abs(l.varianceCost);
      bySku.set(l.skuCode, sku);
    }
    measures.set(storeCode, {
      ratio: accuracyRatio(unexplained, theoretical),
      facts: {
        periods: new Set(own.map((l) => String(l.countId))).size,
        skus: bySku.size,
        theoreticalCost: round2(theoretical),
        varianceCost: round2(own.reduce((sum, l) => sum + l.varianceCost, 0)),
        absoluteVarianceCost: round2(unexplained),
      },
      losses: [...bySku.values()]
        .filter((s) => s.cost > 0)
        .sort((a, b) => b.cost - a.cost)
        .slice(0, MAX_LOSSES)
        .map((s) => ({ label: `${s.name} ${s.variance > 0 ? '多用' : '少用'} ${format(Math.abs(s.variance))}${s.unit}`, lost: theoretical > 0 ? Math.min(1, s.cost / theoretical) : 1 })),
    });
  }
  return measures;
};

const round2 = (amount: number) => Math.round(amount * 100) / 100;
