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
  // Counted in the database: a month of a large chain is hundreds of thousands of items, which
  // loaded as rows would cost more than everything else the monthly job does.
  const handovers = await db.$queryRaw<{ store_code: string; started: number; complete: number }[]>`
    SELECT store_code, count(*)::int AS started, (count(*) FILTER (WHERE state = 'complete'))::int AS complete
    FROM handover
    WHERE store_code = ANY(${storeCodes}) AND started_at >= ${period.start} AND started_at < ${period.end}
    GROUP BY store_code`;
  const items = await db.$queryRaw<{ store_code: string; label: string; asked: number; missed: number }[]>`
    SELECT h.store_code, i.label, count(*)::int AS asked, (count(*) FILTER (WHERE i.status IN ('skipped', 'pending')))::int AS missed
    FROM handover h JOIN handover_item i ON i.handover_id = h.id
    WHERE h.store_code = ANY(${storeCodes}) AND h.started_at >= ${period.start} AND h.started_at < ${period.end} AND h.state = 'complete'
    GROUP BY h.store_code, i.label`;
  const shifts = await scheduledShifts(db, storeCodes, period);
  const started = new Map(handovers.map((h) => [h.store_code, h]));
  const itemsOf = new Map<string, typeof items>();
  for (const row of items) itemsOf.set(row.store_code, [...(itemsOf.get(row.store_code) ?? []), row]);
  const result = new Map<string, PartMeasure>();
  for (const storeCode of storeCodes) {
    const own = started.get(storeCode) ?? { started: 0, complete: 0 };
    const scheduled = shifts.get(storeCode) ?? 0;
    const expected = scheduled > 0 ? scheduled : own.started;
    if (expected === 0) continue;
    const labels = itemsOf.get(storeCode) ?? [];
    const asked = labels.reduce((n, l) => n + l.asked, 0);
    const missed = labels.reduce((n, l) => n + l.missed, 0);
    const completion = Math.min(1, own.complete / expected);
    const missedShare = asked ? missed / asked : 0;
    const ratio = completion * (1 - missedShare);

    const losses: PartMeasure['losses'] = [];
    if (completion < 1) losses.push({ label: `未完成交班 ${expected - Math.min(expected, own.complete)} 次`, lost: round(1 - completion) });
    for (const l of labels.filter((l) => l.missed > 0)) losses.push({ label: `漏填「${l.label}」${l.missed} 次`, lost: round((completion * l.missed) / asked) });
    losses.sort((a, b) => b.lost - a.lost || a.label.localeCompare(b.label));

    result.set(storeCode, {
      ratio: round(ratio, 4),
      facts: {
        scheduledShifts: scheduled,
        handoversStarted: own.started,
        completeHandovers: own.complete,
        completionRate: round(completion),
        averageMissedItems: own.complete ? round(missed / own.complete, 2) : 0,
        missedItemShare: round(missedShare),
      },
      losses,
    });
  }
  return result;
}
