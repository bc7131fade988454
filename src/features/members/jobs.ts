import type { JobContext } from '../../bot/context';
import type { MembersConfig } from './settings';
import { buildCampaign, campaignDefinition, inQuietHours, isDue, localCalendar } from './campaigns';
import { pollConfirmations, sendQueued } from './delivery';
import { refreshProfiles, rankRfm } from './profiles';
import { pushFinishedReports } from './reports';
import type { SmsProvider } from './sms';
import { recomputeTags } from './tag-rules';
import { syncTagsToWecom } from './wecom-tags';

export const RECOMPUTE_SCHEDULE = '30 3 * * *';
export const TAG_SYNC_SCHEDULE = '*/15 * * * *';
export const CAMPAIGN_SCHEDULE = '* * * * *';
export const REPORT_SCHEDULE = '5 * * * *';

/** Nightly: every profile (the 30/90-day windows moved), RFM quintiles, then every tag. */
export async function recomputeMembers(ctx: Pick<JobContext, 'db' | 'clock' | 'log'>): Promise<{ profiles: number; added: number; removed: number }> {
  const now = ctx.clock.now();
  const profiles = await refreshProfiles(ctx.db, now, null);
  await rankRfm(ctx.db);
  const tags = await recomputeTags(ctx.db, now);
  // Every profile and tag was just rewritten; the campaign builds plan with these statistics
  // (PGlite has no autovacuum to refresh them).
  await ctx.db.$executeRawUnsafe('ANALYZE member_profile, member_tag');
  ctx.log.info({ profiles, ...tags }, 'member profiles and tags recomputed');
  return { profiles, ...tags };
}

export async function syncTags(ctx: JobContext): Promise<void> {
  const result = await syncTagsToWecom(ctx.db, ctx.wecom, ctx.clock.now(), ctx.log);
  if (result.members) ctx.log.info(result, 'member tags synced to WeCom');
}

/**
 * Every minute: outside quiet hours, builds the audiences of due campaigns — highest priority
 * first, so they take the members' shared message budget first — creates the queued messages,
 * and collects the owners' confirmations. One campaign failing does not stop the others.
 */
export async function runCampaigns(ctx: JobContext, settings: MembersConfig, timezone: string, sms: SmsProvider | null): Promise<void> {
  const now = ctx.clock.now();
  const cal = await localCalendar(ctx.db, now, timezone);
  if (inQuietHours(cal.minuteOfDay, settings.quietHours)) return;
  const campaigns = await ctx.db.campaign.findMany({ where: { status: 'active' }, orderBy: [{ priority: 'desc' }, { createdAt: 'asc' }] });
  for (const campaign of campaigns) {
    try {
      const definition = campaignDefinition.parse(campaign.definition);
      if (!isDue(definition, campaign.lastRunAt, campaign.createdAt, now, timezone)) continue;
      const built = await buildCampaign(ctx.db, { id: campaign.id, definition }, now, settings, cal, settings.phonePepper ?? campaign.id);
      ctx.log.info({ campaign: campaign.id, ...built }, 'campaign audience built');
    } catch (err) {
      ctx.log.error({ err, campaign: campaign.id }, 'campaign build failed');
    }
  }
  await sendQueued(ctx, timezone, sms);
  await pollConfirmations(ctx, settings);
}

export async function pushReports(ctx: JobContext, timezone: string): Promise<void> {
  await pushFinishedReports(ctx, timezone);
}
