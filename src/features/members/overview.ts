import type { DbTx } from '../../db';
import { campaignResults, type CampaignResults } from './results';
import { campaignsTouching, memberSegments } from './segments';

const CAMPAIGN_STATUS_TEXT: Record<string, string> = { active: '进行中', paused: '已暂停', finished: '已结束' };

export interface MembersOverview {
  members: number;
  active30d: number;
  activeShare: number | null;
  stores: { code: string; name: string; members: number; active30d: number; activeShare: number | null }[];
  segments: { tag: string; members: number; share: number; active30d: number; activeShare: number | null }[];
  campaigns: { id: string; name: string; status: string; statusText: string; stores: string[]; results: CampaignResults }[];
}

const share = (part: number, whole: number) => (whole ? Number((part / whole).toFixed(4)) : null);

/**
 * The members' side of the console for a set of stores the viewer may see: members and their
 * 30-day activity per store, the segments (tags), and the campaigns with members from these stores.
 *
 * A campaign that spans stores is listed if it has members from at least one of them, and its
 * results — every figure, the uplift and its interval included — are computed over those
 * stores' members only (results.ts, with its `stores` filter): a store manager never sees the
 * chain's or another store's numbers through a shared campaign.
 */
export async function membersOverview(db: DbTx, stores: { code: string; name: string }[], now: Date): Promise<MembersOverview> {
  return { ...(await membersOfStores(db, stores, now)), campaigns: await campaignsOfStores(db, stores) };
}

/** Members and their 30-day activity per store and in total, and the segments (tags). */
export async function membersOfStores(db: DbTx, stores: { code: string; name: string }[], now: Date): Promise<Omit<MembersOverview, 'campaigns'>> {
  const { perStore, segments } = await memberSegments(
    db,
    stores.map((s) => s.code),
    now,
  );
  const byCode = new Map(perStore.map((s) => [s.store, s]));
  const members = perStore.reduce((n, s) => n + s.members, 0);
  const active30d = perStore.reduce((n, s) => n + s.active30d, 0);
  return {
    members,
    active30d,
    activeShare: share(active30d, members),
    stores: stores.map((s) => {
      const counts = byCode.get(s.code) ?? { members: 0, active30d: 0 };
      return { code: s.code, name: s.name, members: counts.members, active30d: counts.active30d, activeShare: share(counts.active30d, counts.members) };
    }),
    segments: segments.map((s) => ({ tag: s.tag, members: s.members, share: share(s.members, members) ?? 0, active30d: s.active30d, activeShare: share(s.active30d, s.members) })),
  };
}

/** The campaigns with members from these stores, each with its results over those members only. */
export async function campaignsOfStores(db: DbTx, stores: { code: string; name: string }[]): Promise<MembersOverview['campaigns']> {
  const codes = stores.map((s) => s.code);
  const names = new Map(stores.map((s) => [s.code, s.name]));
  const campaigns: MembersOverview['campaigns'] = [];
  for (const campaign of await campaignsTouching(db, codes)) {
    const results = await campaignResults(db, campaign.id, { stores: codes });
    if (!results) continue;
    campaigns.push({
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      statusText: CAMPAIGN_STATUS_TEXT[campaign.status] ?? campaign.status,
      stores: campaign.stores.map((c) => names.get(c) ?? c),
      results,
    });
  }
  return campaigns;
}
