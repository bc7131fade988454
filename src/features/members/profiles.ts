import type { DbTx } from '../../db';

/**
 * Recomputes the behaviour profile of the given members — or of everyone — in one set-based
 * statement: recency, order counts over 30 and 90 days, spend, average ticket, the three
 * favourite categories with their share of quantity (90 days), discount sensitivity (share of
 * 90-day orders with a discount or a coupon) and average dwell time where the POS sends it.
 * As orders arrive the sync calls it for their members; the nightly job runs it for all, since
 * the 30/90-day windows move even when nobody buys, and then ranks everyone into RFM quintiles.
 */
export async function refreshProfiles(db: DbTx, now: Date, memberCodes: string[] | null): Promise<number> {
  if (memberCodes && memberCodes.length === 0) return 0;
  const scope = memberCodes ? 'AND member_code = ANY($2::text[])' : '';
  const params: unknown[] = memberCodes ? [now, memberCodes] : [now];
  return db.$executeRawUnsafe(
    // NOT MATERIALIZED: read twice (totals, categories), a materialised copy of every order and its
    // lines would be written to a temp file first; inlined, each reads the table (and its indexes) itself.
    `WITH o AS NOT MATERIALIZED (
       SELECT member_code, ordered_at, amount, discount, coupon_code, dwell_seconds, lines
       FROM member_order WHERE ordered_at <= $1 ${scope}
     ), agg AS (
       SELECT member_code, min(ordered_at) AS first_at, max(ordered_at) AS last_at,
         count(*) FILTER (WHERE ordered_at > $1 - interval '30 days') AS o30,
         count(*) FILTER (WHERE ordered_at > $1 - interval '90 days') AS o90,
         count(*) AS total,
         coalesce(sum(amount) FILTER (WHERE ordered_at > $1 - interval '90 days'), 0) AS m90,
         sum(amount) AS mt,
         coalesce(avg(CASE WHEN discount > 0 OR coupon_code IS NOT NULL THEN 1.0 ELSE 0.0 END) FILTER (WHERE ordered_at > $1 - interval '90 days'), 0) AS disc,
         round(avg(dwell_seconds))::int AS dwell
       FROM o GROUP BY member_code
     ), cat AS (
       SELECT member_code, l->>'category' AS category, sum((l->>'quantity')::numeric) AS qty
       FROM o CROSS JOIN LATERAL jsonb_array_elements(o.lines) l
       WHERE ordered_at > $1 - interval '90 days' AND l->>'category' IS NOT NULL
       GROUP BY 1, 2
     ), fav AS (
       SELECT member_code,
         jsonb_agg(jsonb_build_object('category', category, 'share', round(qty / nullif(total, 0), 3)) ORDER BY qty DESC, category) FILTER (WHERE rn <= 3) AS favs
       FROM (SELECT member_code, category, qty, sum(qty) OVER (PARTITION BY member_code) AS total,
                    row_number() OVER (PARTITION BY member_code ORDER BY qty DESC, category) AS rn FROM cat) ranked
       GROUP BY member_code
     )
     INSERT INTO member_profile (member_code, first_order_at, last_order_at, orders_30d, orders_90d, orders_total, monetary_90d,
       monetary_total, avg_ticket, favourite_categories, discount_share, avg_dwell_seconds, computed_at)
     SELECT a.member_code, a.first_at, a.last_at, a.o30, a.o90, a.total, a.m90, a.mt, round(a.mt / a.total, 2),
       coalesce(f.favs, '[]'::jsonb), a.disc, a.dwell, $1
     FROM agg a LEFT JOIN fav f USING (member_code)
     ON CONFLICT (member_code) DO UPDATE SET first_order_at = EXCLUDED.first_order_at, last_order_at = EXCLUDED.last_order_at,
       orders_30d = EXCLUDED.orders_30d, orders_90d = EXCLUDED.orders_90d, orders_total = EXCLUDED.orders_total,
       monetary_90d = EXCLUDED.monetary_90d, monetary_total = EXCLUDED.monetary_total, avg_ticket = EXCLUDED.avg_ticket,
       favourite_categories = EXCLUDED.favourite_categories, discount_share = EXCLUDED.discount_share,
       avg_dwell_seconds = EXCLUDED.avg_dwell_seconds, computed_at = EXCLUDED.computed_at`,
    ...params,
  );
}

/**
 * RFM quintiles (5 = most recent, most frequent, biggest spender over 90 days) across every
 * member with orders. Relative by nature, so only the nightly recompute sets them.
 */
export async function rankRfm(db: DbTx): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE member_profile p SET r_score = s.r, f_score = s.f, m_score = s.m
     FROM (SELECT member_code, ntile(5) OVER (ORDER BY last_order_at, member_code) AS r,
                  ntile(5) OVER (ORDER BY orders_90d, member_code) AS f,
                  ntile(5) OVER (ORDER BY monetary_90d, member_code) AS m
           FROM member_profile WHERE last_order_at IS NOT NULL) s
     WHERE p.member_code = s.member_code`,
  );
}
