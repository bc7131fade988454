import type { PartMeasure, ScorePartSource } from '../../bot/registry';
import { ACTIVE_DAYS } from './segments';
import { formatPercent } from '../../percent';

/**
 * Member activity for the monthly store health score: the share of a store's members (by home
 * store) with an order in the last 30 days of the period, against the chain's median share:
 * ratio = min(1, share / median). A store without members is absent (no data, not zero).
 */
export const measureMemberActivity: ScorePartSource = async (db, period, storeCodes) => {
  const windowStart = new Date(period.end.getTime() - ACTIVE_DAYS * 86_400_000);
  // The window's buyers found once and joined, rather than an index probe per member: a chain's
  // million members are probed in seconds where the month's orders are scanned in well under one.
  const rows = await db.$queryRaw<{ store: string; members: bigint; active: bigint }[]>`
    SELECT m.home_store AS store, count(*) AS members, count(a.member_code) AS active
    FROM member m
    LEFT JOIN (SELECT DISTINCT member_code FROM member_order WHERE ordered_at >= ${windowStart} AND ordered_at < ${period.end}) AS a ON a.member_code = m.code
    WHERE m.home_store = ANY(${storeCodes}::text[]) AND m.created_at < ${period.end}
    GROUP BY m.home_store`;
  const shares = rows.map((r) => ({ store: r.store, members: Number(r.members), active: Number(r.active), share: Number(r.active) / Number(r.members) }));
  const median = medianOf(shares.map((s) => s.share));
  const result = new Map<string, PartMeasure>();
  for (const s of shares) {
    const ratio = median > 0 ? Math.min(1, s.share / median) : s.share > 0 ? 1 : 0;
    const lapsed = s.members - s.active;
    result.set(s.store, {
      ratio,
      facts: { members: s.members, active30d: s.active, activeShare: Number(s.share.toFixed(4)), chainMedianShare: Number(median.toFixed(4)) },
      losses: ratio < 1 ? [{ label: `${lapsed} 位会员 30 天未到店（活跃率 ${formatPercent(s.share)}，连锁中位数 ${formatPercent(median)}）`, lost: Number((1 - ratio).toFixed(4)) }] : [],
    });
  }
  return result;
};

function medianOf(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
