import type { DbTx } from '../../db';

/** "Active": an order in the last 30 days — the console's segments and the health score's member activity alike. */
export const ACTIVE_DAYS = 30;

export interface StoreMembers {
  store: string;
  members: number;
  active30d: number;
}

export interface Segment {
  tag: string;
  members: number;
  active30d: number;
}

export interface CampaignTouching {
  id: string;
  name: string;
  status: string;
  /** Of the stores asked about, those with members in the campaign (treated or holdout). */
  stores: string[];
  lastAssignedAt: Date;
}

/**
 * Members of the given home stores: per store, how many and how many were active in the last 30
 * days, and per tag (the segments campaigns aim at) the same over all of them. Only members whose
 * home store is one of `stores` are counted: nothing of another store is read.
 */
export async function memberSegments(db: DbTx, stores: string[], now: Date): Promise<{ perStore: StoreMembers[]; segments: Segment[] }> {
  const since = new Date(now.getTime() - ACTIVE_DAYS * 86_400_000);
  const perStore = await db.$queryRaw<{ store: string; members: bigint; active: bigint }[]>`
    SELECT m.home_store AS store, count(*) AS members,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM member_order o WHERE o.member_code = m.code AND o.ordered_at >= ${since} AND o.ordered_at < ${now})) AS active
    FROM member m WHERE m.home_store = ANY(${stores}::text[])
    GROUP BY m.home_store ORDER BY m.home_store`;
  const segments = await db.$queryRaw<{ tag: string; members: bigint; active: bigint }[]>`
    SELECT t.tag, count(*) AS members,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM member_order o WHERE o.member_code = m.code AND o.ordered_at >= ${since} AND o.ordered_at < ${now})) AS active
    FROM member_tag t JOIN member m ON m.code = t.member_code
    WHERE m.home_store = ANY(${stores}::text[])
    GROUP BY t.tag ORDER BY count(*) DESC, t.tag`;
  return {
    perStore: perStore.map((r) => ({ store: r.store, members: Number(r.members), active30d: Number(r.active) })),
    segments: segments.map((r) => ({ tag: r.tag, members: Number(r.members), active30d: Number(r.active) })),
  };
}

/** Campaigns with members (treated or holdout) from the given home stores, the latest first. */
export async function campaignsTouching(db: DbTx, stores: string[]): Promise<CampaignTouching[]> {
  const rows = await db.$queryRaw<{ id: string; name: string; status: string; stores: string[]; last: Date }[]>`
    SELECT k.id, k.name, k.status, array_agg(DISTINCT m.home_store ORDER BY m.home_store) AS stores, max(c.assigned_at) AS last
    FROM campaign k JOIN campaign_member c ON c.campaign_id = k.id JOIN member m ON m.code = c.member_code
    WHERE m.home_store = ANY(${stores}::text[])
    GROUP BY k.id, k.name, k.status
    ORDER BY max(c.assigned_at) DESC, k.id`;
  return rows.map((r) => ({ id: r.id, name: r.name, status: r.status, stores: r.stores, lastAssignedAt: r.last }));
}
