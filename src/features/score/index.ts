import type { Feature } from '../../bot/registry';
import { scoreSettings } from './settings';
import { registerScoreConsole } from './console';
import { seedDemoScores } from './demo';
import { sendWeeklyDigest, WEEKLY_DIGEST_SCHEDULE } from './digest';
import { MONTHLY_PUSH_SCHEDULE, pushMonthlyScores, type ScoreJobDeps } from './push';
import { loadScoreRules } from './rules';

/**
 * The monthly store health score: the parts other features register with `bot.scorePart`,
 * weighed by the chain's rules, stored per store and month, pushed on the 1st, and a weekly
 * digest for area managers and admins.
 */
export const scoreFeature: Feature = {
  name: 'score',
  settings: scoreSettings,
  demo: seedDemoScores,
  register(bot) {
    const deps: ScoreJobDeps = {
      // Read when a job runs: every feature has registered its part by then, whatever the order.
      sources: bot.scoreParts,
      rules: loadScoreRules(bot.config.scoreRulesFile),
      timezone: bot.config.timezone,
      consoleUrl: bot.config.console?.publicUrl ?? null,
    };
    bot.cron('score.pushMonthlyScores', MONTHLY_PUSH_SCHEDULE, (ctx) => pushMonthlyScores(ctx, deps));
    bot.cron('score.sendWeeklyDigest', WEEKLY_DIGEST_SCHEDULE, (ctx) => sendWeeklyDigest(ctx, { ...deps, openai: bot.config.openai }));
    registerScoreConsole(bot);
  },
};
