import type { PartMeasure } from '../../bot/registry';
import type { Db } from '../../db';
import { scheduledShifts } from './schedule';

const round = (n: number, places = 3) => Math.round(n * 10 ** places) / 10 ** places;

/**
 * 交班完整率 for the health score, per store over the period:
 *   completion = complete handovers / shifts scheduled in the period (handovers started, for a
 *                store without a schedule), at most 1;
 *   missedShare = items left unanswered (skipped) / items asked, over the complete handovers;
 *   ratio = completion × (1 − missedShare).
 * A store with neither shifts nor handovers in the period has no measure (absent).
 */
export async function measureHandoverCompleteness(db: Db, period: { start: Date; end: Date }, storeCodes: string[]): Promise<Map<string, PartMeasure>> {
  const handovers = await db.handover.findMany({
    where: { storeCode: { in: storeCodes }, startedAt: { gte: period.start, lt: period.end } },
    select: { storeCode: true, state: true, items: { select: { status: true, label: true } } },
  });
  const shifts = await scheduledShifts(db, storeCodes, period);
  const result = new Map<string, PartMeasure>();
  for (const storeCode of storeCodes) {
    const own = handovers.filter((h) => h.storeCode === storeCode);
    const scheduled = shifts.get(storeCode) ?? 0;
    const expected = scheduled > 0 ? scheduled : own.length;
    if (expected === 0) continue;
    const complete = own.filter((h) => h.state === 'complete');
    const items = complete.flatMap((h) => h.items);
    const missed = items.filter((i) => i.status === 'skipped' || i.status === 'pending');
    const completion = Math.min(1, complete.length / expected);
    const missedShare = items.length ? missed.length / items.length : 0;
    const ratio = completion * (1 - missedShare);

    const losses: PartMeasure['losses'] = [];
    if (completion < 1) losses.push({ label: `未完成交班 ${expected - Math.min(expected, complete.length)} 次`, lost: round(1 - completion) });
    const byItem = new Map<string, number>();
    for (const m of missed) byItem.set(m.label, (byItem.get(m.label) ?? 0) + 1);
    for (const [label, count] of byItem) losses.push({ label: `漏填「${label}」${count} 次`, lost: round((completion * count) / items.length) });
    losses.sort((a, b) => b.lost - a.lost);

    result.set(storeCode, {
      ratio: round(ratio, 4),
      facts: {
        scheduledShifts: scheduled,
        handoversStarted: own.length,
        completeHandovers: complete.length,
        completionRate: round(completion),
        averageMissedItems: complete.length ? round(missed.length / complete.length, 2) : 0,
        missedItemShare: round(missedShare),
      },
      losses,
    });
  }
  return result;
}
