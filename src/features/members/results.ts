import type { DbTx } from '../../db';
import { Prisma } from '../../generated/prisma/client';
import { formatPercent } from '../../percent';

/** Normal quantile for a two-sided 95% interval. */
const Z95 = 1.959964;

export interface GroupOutcome {
  members: number;
  /** Members with at least one order in their window. */
  purchasers: number;
  repeatRate: number;
  revenuePerMember: number;
}

export interface CampaignResults {
  campaignId: string;
  name: string;
  window: { from: string | null; to: string | null };
  sent: number;
  delivered: number;
  failed: number;
  awaitingConfirmation: number;
  redeemed: number;
  redemptionRate: number;
  redeemerRevenue: number;
  redeemerMargin: number;
  couponCost: number;
  treated: GroupOutcome;
  holdout: GroupOutcome;
  uplift: {
    /** Treated minus holdout repeat-purchase rate, with a 95% interval (normal approximation, unpooled). */
    repeatRate: { difference: number; low: number; high: number };
    /** Treated minus holdout revenue per member, with a 95% interval (Welch's normal approximation). */
    revenuePerMember: { difference: number; low: number; high: number };
    incrementalRevenue: number;
    incrementalMargin: number;
    /** (incremental margin − coupon cost) / coupon cost; null without coupon cost. */
    roi: number | null;
  };
}

interface GroupRow {
  arm: string;
  members: bigint;
  purchasers: bigint;
  revenue_mean: string | null;
  revenue_var: string | null;
  revenue_total: string | null;
  margin_total: string | null;
  revenue_with_cost: string | null;
}

/**
 * A campaign's results. With `stores`, only over its members whose home store is one of them
 * (the console: a manager sees their stores' share of a campaign, never the rest of the chain's),
 * everything below computed the same way over that subset.
 * Each member's window runs from their assignment to the coupon's expiry,
 * the same for treated and holdout members assigned in the same run. "Treated" counts every
 * treated member whose message was created (intention to treat: also those whose owner never
 * confirmed), so the comparison with the holdout is not flattered by who happened to get it.
 */
export async function campaignResults(db: DbTx, campaignId: string, opts: { stores?: string[] } = {}): Promise<CampaignResults | null> {
  const campaign = await db.campaign.findUnique({ where: { id: campaignId } });
  if (!campaign) return null;
  const inStores = (memberCode: Prisma.Sql) => (opts.stores ? Prisma.sql`AND ${memberCode} IN (SELECT code FROM member WHERE home_store = ANY(${opts.stores}::text[]))` : Prisma.empty);
  const groups = await db.$queryRaw<GroupRow[]>`
    WITH cm AS (
      SELECT member_code, arm, assigned_at, valid_until FROM campaign_member
      WHERE campaign_id = ${campaignId} AND (arm = 'holdout' OR status NOT IN ('queued', 'sending')) ${inStores(Prisma.sql`member_code`)}
    ), per_member AS (
      SELECT cm.member_code, cm.arm, count(o.order_id) AS orders, coalesce(sum(o.amount), 0) AS revenue
      FROM cm LEFT JOIN member_order o ON o.member_code = cm.member_code AND o.ordered_at >= cm.assigned_at AND o.ordered_at < cm.valid_until
      GROUP BY cm.member_code, cm.arm
    ), margins AS (
      SELECT cm.arm, sum((l->>'amount')::numeric - (l->>'cost')::numeric) AS margin, sum((l->>'amount')::numeric) AS revenue_with_cost
      FROM cm JOIN member_order o ON o.member_code = cm.member_code AND o.ordered_at >= cm.assigned_at AND o.ordered_at < cm.valid_until
        CROSS JOIN LATERAL jsonb_array_elements(o.lines) l
      WHERE l->>'cost' IS NOT NULL
      GROUP BY cm.arm
    )
    SELECT p.arm, count(*) AS members, count(*) FILTER (WHERE p.orders > 0) AS purchasers,
      avg(p.revenue)::text AS revenue_mean, var_samp(p.revenue)::text AS revenue_var, sum(p.revenue)::text AS revenue_total,
      max(m.margin)::text AS margin_total, max(m.revenue_with_cost)::text AS revenue_with_cost
    FROM per_member p LEFT JOIN margins m ON m.arm = p.arm
    GROUP BY p.arm`;
  const [counts] = await db.$queryRaw<{ sent: bigint; delivered: bigint; failed: bigint; waiting: bigint; from: Date | null; to: Date | null }[]>`
    SELECT count(*) FILTER (WHERE arm = 'treated' AND status NOT IN ('queued', 'sending')) AS sent,
      count(*) FILTER (WHERE status = 'delivered') AS delivered,
      count(*) FILTER (WHERE status IN ('failed', 'unknown')) AS failed,
      count(*) FILTER (WHERE status = 'awaiting_confirmation') AS waiting,
      min(assigned_at) AS "from", max(valid_until) AS "to"
    FROM campaign_member WHERE campaign_id = ${campaignId} ${inStores(Prisma.sql`member_code`)}`;
  const [redemption] = await db.$queryRaw<{ redeemed: bigint; revenue: string | null; cost: string | null; margin: string | null }[]>`
    WITH r AS (
      SELECT o.* FROM campaign_member c JOIN member_order o ON o.coupon_code = c.coupon_code AND o.member_code = c.member_code
      WHERE c.campaign_id = ${campaignId} AND c.arm = 'treated' AND o.ordered_at >= c.assigned_at AND o.ordered_at < c.valid_until ${inStores(Prisma.sql`c.member_code`)}
    )
    SELECT (SELECT count(DISTINCT member_code) FROM r) AS redeemed, (SELECT sum(amount) FROM r)::text AS revenue, (SELECT sum(discount) FROM r)::text AS cost,
      (SELECT sum((l->>'amount')::numeric - (l->>'cost')::numeric) FROM r CROSS JOIN LATERAL jsonb_array_elements(r.lines) l WHERE l->>'cost' IS NOT NULL)::text AS margin`;

  const group = (arm: string) => {
    const g = groups.find((x) => x.arm === arm);
    const members = Number(g?.members ?? 0);
    const purchasers = Number(g?.purchasers ?? 0);
    return {
      outcome: { members, purchasers, repeatRate: members ? purchasers / members : 0, revenuePerMember: Number(g?.revenue_mean ?? 0) },
      variance: Number(g?.revenue_var ?? 0),
      revenue: Number(g?.revenue_total ?? 0),
      margin: Number(g?.margin_total ?? 0),
      revenueWithCost: Number(g?.revenue_with_cost ?? 0),
    };
  };
  const t = group('treated');
  const h = group('holdout');
  const rateDiff = t.outcome.repeatRate - h.outcome.repeatRate;
  const rateSe =
    t.outcome.members && h.outcome.members
      ? Math.sqrt((t.outcome.repeatRate * (1 - t.outcome.repeatRate)) / t.outcome.members + (h.outcome.repeatRate * (1 - h.outcome.repeatRate)) / h.outcome.members)
      : NaN;
  const revDiff = t.outcome.revenuePerMember - h.outcome.revenuePerMember;
  const revSe = t.outcome.members > 1 && h.outcome.members > 1 ? Math.sqrt(t.variance / t.outcome.members + h.variance / h.outcome.members) : NaN;
  const incrementalRevenue = revDiff * t.outcome.members;
  // Margin rate of the treated group's orders whose lines carry a cost; the uplift is valued at it.
  const marginRate = t.revenueWithCost > 0 ? t.margin / t.revenueWithCost : 0;
  const incrementalMargin = incrementalRevenue * marginRate;
  const couponCost = Number(redemption.cost ?? 0);
  const sent = Number(counts.sent);
  const redeemed = Number(redemption.redeemed);
  const round = (n: number, digits = 2) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : 0);
  return {
    campaignId,
    name: campaign.name,
    window: { from: counts.from?.toISOString() ?? null, to: counts.to?.toISOString() ?? null },
    sent,
    delivered: Number(counts.delivered),
    failed: Number(counts.failed),
    awaitingConfirmation: Number(counts.waiting),
    redeemed,
    redemptionRate: round(sent ? redeemed / sent : 0, 4),
    redeemerRevenue: round(Number(redemption.revenue ?? 0)),
    redeemerMargin: round(Number(redemption.margin ?? 0)),
    couponCost: round(couponCost),
    treated: { ...t.outcome, repeatRate: round(t.outcome.repeatRate, 4), revenuePerMember: round(t.outcome.revenuePerMember) },
    holdout: { ...h.outcome, repeatRate: round(h.outcome.repeatRate, 4), revenuePerMember: round(h.outcome.revenuePerMember) },
    uplift: {
      repeatRate: { difference: round(rateDiff, 4), low: round(rateDiff - Z95 * rateSe, 4), high: round(rateDiff + Z95 * rateSe, 4) },
      revenuePerMember: { difference: round(revDiff), low: round(revDiff - Z95 * revSe), high: round(revDiff + Z95 * revSe) },
      incrementalRevenue: round(incrementalRevenue),
      incrementalMargin: round(incrementalMargin),
      roi: couponCost > 0 ? round((incrementalMargin - couponCost) / couponCost) : null,
    },
  };
}

const yuan = (n: number) => `¥${n.toFixed(2)}`;

/** The report managers get in chat (WeCom markdown). */
export function reportMarkdown(r: CampaignResults, timezone: string): string {
  const day = (iso: string | null) => (iso ? new Intl.DateTimeFormat('zh-CN', { timeZone: timezone, month: 'numeric', day: 'numeric' }).format(new Date(iso)) : '—');
  const u = r.uplift;
  const significant = u.repeatRate.low > 0 ? '<font color="info">显著提升</font>' : u.repeatRate.high < 0 ? '<font color="warning">显著下降</font>' : '<font color="comment">与对照组无显著差异</font>';
  return [
    `### 会员活动结果：${r.name}`,
    `> 活动期 ${day(r.window.from)} – ${day(r.window.to)}`,
    `发出 **${r.sent}**，店员确认送达 **${r.delivered}**，核销 **${r.redeemed}**（核销率 ${formatPercent(r.redemptionRate)}）`,
    `核销订单收入 ${yuan(r.redeemerRevenue)}，毛利 ${yuan(r.redeemerMargin)}，券成本 ${yuan(r.couponCost)}`,
    `**复购率** 发券组 ${formatPercent(r.treated.repeatRate)}（${r.treated.members} 人） vs 对照组 ${formatPercent(r.holdout.repeatRate)}（${r.holdout.members} 人）`,
    `提升 ${formatPercent(u.repeatRate.difference)}，95% 置信区间 [${formatPercent(u.repeatRate.low)}, ${formatPercent(u.repeatRate.high)}]：${significant}`,
    `**人均消费** 发券组 ${yuan(r.treated.revenuePerMember)} vs 对照组 ${yuan(r.holdout.revenuePerMember)}，差 ${yuan(u.revenuePerMember.difference)} [${yuan(u.revenuePerMember.low)}, ${yuan(u.revenuePerMember.high)}]`,
    `增量收入 ${yuan(u.incrementalRevenue)}，增量毛利 ${yuan(u.incrementalMargin)}，ROI ${u.roi === null ? '—（无券成本）' : u.roi.toFixed(2)}`,
  ].join('\n');
}
