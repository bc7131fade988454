import type { Feature } from '../../bot/registry';
import { membersSettings } from './settings';
import { seedDemoMembers } from './demo';
import { defineCampaigns } from './campaigns';
import { importDocument } from './import';
import { registerMembersConsole } from './console';
import { CAMPAIGN_SCHEDULE, pushReports, RECOMPUTE_SCHEDULE, recomputeMembers, REPORT_SCHEDULE, runCampaigns, syncTags, TAG_SYNC_SCHEDULE } from './jobs';
import { campaignResults } from './results';
import { smsProvider } from './sms';
import { saveTagRules } from './tag-rules';
import { measureMemberActivity } from './score';
import { createLogger } from '../../log';

export { membersAdmin, MEMBERS_USAGE } from './admin';

/**
 * Members: POS members and orders arrive through the sync API (documents `members`, `orders`)
 * or the admin CLI; profiles and rule-based tags follow, tags go to WeCom; coupon campaigns
 * go out through the owner staff's WeCom, capped and with a holdout; results come back from
 * the POS's coupon codes and are pushed to managers.
 */
export const membersFeature: Feature = {
  name: 'members',
  settings: membersSettings,
  demo: seedDemoMembers,
  register(bot) {
    const { members: settings, timezone } = bot.config;
    const sms = smsProvider(settings.smsProvider, createLogger(bot.config.logLevel).child({ component: 'sms' }));

    for (const kind of ['members', 'orders'] as const) {
      bot.sync(kind, async ({ db, body, clock, log, source }) => {
        const outcome = await importDocument(db, kind, body, settings.phonePepper, clock.now());
        if (!outcome.ok) return { accepted: false, problems: outcome.problems };
        log.info({ kind, source, rows: outcome.rows, created: outcome.created }, 'member data synced');
        return { accepted: true, result: { kind, rows: outcome.rows, created: outcome.created, updated: outcome.updated } };
      });
    }
    bot.sync('member-tag-rules', async ({ db, body, clock }) => {
      const outcome = await saveTagRules(db, parseJson(body), clock.now());
      return outcome.ok ? { accepted: true, result: { rules: outcome.rules.map((r) => r.name) } } : { accepted: false, problems: outcome.problems };
    });
    bot.sync('campaigns', async ({ db, body, clock }) => {
      const outcome = await defineCampaigns(db, parseJson(body), clock.now(), settings);
      return outcome.ok ? { accepted: true, result: { campaigns: outcome.ids } } : { accepted: false, problems: outcome.problems };
    });
    // The report as data, for a BI tool or the chain's own dashboard: body {"campaign": "<id>"}.
    bot.sync('campaign-results', async ({ db, body }) => {
      const id = (parseJson(body) as { campaign?: unknown } | null)?.campaign;
      if (typeof id !== 'string') return { accepted: false, problems: [{ line: 1, message: '需要 {"campaign": "<活动 id>"}' }] };
      const results = await campaignResults(db, id);
      return results ? { accepted: true, result: results as unknown as Record<string, unknown> } : { accepted: false, problems: [{ line: 1, message: `没有活动 ${id}` }] };
    });

    bot.scorePart('memberActivity', measureMemberActivity);
    registerMembersConsole(bot);

    bot.cron('members.recomputeProfiles', RECOMPUTE_SCHEDULE, async (ctx) => {
      await recomputeMembers(ctx);
    });
    bot.cron('members.syncWecomTags', TAG_SYNC_SCHEDULE, syncTags);
    bot.cron('members.runCampaigns', CAMPAIGN_SCHEDULE, (ctx) => runCampaigns(ctx, settings, timezone, sms));
    bot.cron('members.pushReports', REPORT_SCHEDULE, (ctx) => pushReports(ctx, timezone));
  },
};

/** Malformed JSON becomes `undefined`, which every schema then reports as a problem. */
function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
