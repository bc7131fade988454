import type { JobContext } from '../../bot/context';
import type { ScorePartName, ScorePartSource } from '../../bot/registry';
import { markdown } from '../../platform/outbound';
import { computeMonth, loadMonth, saveScores } from './repository';
import { areaRankingMessage, storeManagerMessage, type StoreInfo } from './messages';
import { monthOf, monthPeriod, previousMonth } from './period';
import type { ScoreRules } from './rules';

export interface ScoreJobDeps {
  sources: ReadonlyMap<ScorePartName, ScorePartSource>;
  rules: ScoreRules;
  timezone: string;
  consoleUrl: string | null;
}

/** 09:00 on the 1st, chain time: the month just ended. Not at 00:00, so late entries of the 31st are in. */
export const MONTHLY_PUSH_SCHEDULE = '0 9 1 * *';

/**
 * On the 1st: scores the month just ended for every store, stores the results, and sends each
 * store manager their store's score and each area manager the ranking of their stores. Sending
 * goes through the fire's idempotent outbox keys, so a re-run of the fire sends nothing twice.
 */
export async function pushMonthlyScores(ctx: JobContext, deps: ScoreJobDeps): Promise<void> {
  const month = previousMonth(monthOf(ctx.fireTime, deps.timezone));
  const results = await computeMonth(ctx.db, deps.sources, deps.rules, monthPeriod(month, deps.timezone), ctx.log);
  await saveScores(ctx.db, results, ctx.clock.now());
  const scores = new Map(results.map((r) => [r.storeCode, r]));
  const previous = new Map((await loadMonth(ctx.db, previousMonth(month))).map((r) => [r.storeCode, r]));
  const stores: StoreInfo[] = await ctx.db.store.findMany({ select: { code: true, name: true, area: true }, orderBy: { code: 'asc' } });
  const managers = await ctx.db.staff.findMany({ where: { active: true, role: { in: ['store_manager', 'area_manager'] } }, orderBy: { userid: 'asc' } });

  for (const store of stores) {
    const to = managers.filter((m) => m.role === 'store_manager' && m.storeCode === store.code).map((m) => m.userid);
    if (to.length === 0) continue;
    try {
      await ctx.send(to, markdown(storeManagerMessage(store, scores.get(store.code)!, previous.get(store.code) ?? null, deps.consoleUrl)));
    } catch (err) {
      ctx.log.error({ err, store: store.code }, 'monthly score message not queued');
    }
  }
  for (const manager of managers.filter((m) => m.role === 'area_manager' && m.area)) {
    const areaStores = stores.filter((s) => s.area === manager.area);
    if (areaStores.length === 0) continue;
    await ctx.send(manager.userid, markdown(areaRankingMessage(manager.area!, month, areaStores, scores, previous, deps.consoleUrl)));
  }
  ctx.log.info({ month, stores: results.length, scored: results.filter((r) => r.points !== null).length }, 'monthly store scores computed and sent');
}
