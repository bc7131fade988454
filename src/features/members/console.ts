import type { BotRegistry } from '../../bot/registry';
import { columns, type ConsoleSection, type SectionContext } from '../../console/types';
import { visibleStores } from '../../people';
import { percentFigure } from '../../percent';
import { campaignsOfStores, membersOfStores, membersOverview } from './overview';

const percent = (ratio: number | null) => (ratio === null ? null : percentFigure(ratio));
const interval = (d: { difference: number; low: number; high: number }, scale: number, unit: string) =>
  `${(d.difference * scale).toFixed(1)}${unit} [${(d.low * scale).toFixed(1)}, ${(d.high * scale).toFixed(1)}]`;

const storeOf = (ctx: SectionContext, storeCode: string) => ctx.db.store.findUniqueOrThrow({ where: { code: storeCode }, select: { code: true, name: true } });

/** The store's members by tag: the segments campaigns aim at, and how many of each came in 30 days. */
const memberSegmentsSection: ConsoleSection = {
  key: 'memberSegments',
  title: '会员分群',
  order: 100,
  columns: columns({ tag: '标签', members: '会员数', share: '占本店会员%', active30d: '30天到店', activeShare: '30天活跃率%' }),
  async summary(ctx, storeCode) {
    const o = await membersOfStores(ctx.db, [await storeOf(ctx, storeCode)], ctx.clock.now());
    return o.members ? `本店会员 ${o.members} 人，30 天内到店 ${o.active30d} 人（活跃率 ${percent(o.activeShare)}%）。` : '本店还没有会员。';
  },
  async rows(ctx, storeCode) {
    const o = await membersOfStores(ctx.db, [await storeOf(ctx, storeCode)], ctx.clock.now());
    return o.segments.map((s) => ({ id: s.tag, cells: { tag: s.tag, members: s.members, share: percent(s.share), active30d: s.active30d, activeShare: percent(s.activeShare) } }));
  },
};

/**
 * The campaigns with members of this store, each measured over this store's members only (a
 * campaign across stores shows this store's share of it). The uplift is treated minus holdout
 * with its 95% interval, as in the report managers get in chat.
 */
const campaignsSection: ConsoleSection = {
  key: 'campaigns',
  title: '会员活动效果',
  order: 110,
  columns: columns(
    { name: '活动', status: ['状态', 'select'], sent: '发出', delivered: '店员确认送达', redeemed: '核销', redemptionRate: '核销率%' },
    { redeemerRevenue: '核销收入(元)', redeemerMargin: '核销毛利(元)', couponCost: '券成本(元)' },
    { treated: '发券组人数', holdout: '对照组人数', treatedRepeat: '发券组复购率%', holdoutRepeat: '对照组复购率%' },
    { repeatUplift: '复购率提升(百分点) [95%区间]', revenueUplift: '人均消费提升(元) [95%区间]', incrementalMargin: '增量毛利(元)', roi: 'ROI' },
  ),
  async summary() {
    return '只计本店会员（跨店活动只显示本店部分）。提升 = 发券组 − 对照组，方括号内为 95% 置信区间；区间跨过 0 即与对照组无显著差异。';
  },
  async rows(ctx, storeCode) {
    const campaigns = await campaignsOfStores(ctx.db, [await storeOf(ctx, storeCode)]);
    return campaigns.map(({ id, name, statusText, results: r }) => ({
      id,
      cells: {
        name,
        status: statusText,
        sent: r.sent,
        delivered: r.delivered,
        redeemed: r.redeemed,
        redemptionRate: percent(r.redemptionRate),
        redeemerRevenue: r.redeemerRevenue,
        redeemerMargin: r.redeemerMargin,
        couponCost: r.couponCost,
        treated: r.treated.members,
        holdout: r.holdout.members,
        treatedRepeat: percent(r.treated.repeatRate),
        holdoutRepeat: percent(r.holdout.repeatRate),
        repeatUplift: interval(r.uplift.repeatRate, 100, ''),
        revenueUplift: interval(r.uplift.revenuePerMember, 1, ''),
        incrementalMargin: r.uplift.incrementalMargin,
        roi: r.uplift.roi,
      },
    }));
  },
};

/**
 * The members in the console: a store's segment and campaign tables, and the overview the page's
 * members panel draws — of one store, or of every store the member may see (the ranking page).
 */
export function registerMembersConsole(bot: BotRegistry): void {
  bot.consoleSection(memberSegmentsSection);
  bot.consoleSection(campaignsSection);
  bot.consoleApi({
    method: 'GET',
    scope: 'chain',
    path: '/members',
    handler: async ({ db, clock, staff }) => ({ body: await membersOverview(db, await visibleStores(db, staff), clock.now()) }),
  });
  bot.consoleApi({ method: 'GET', scope: 'store', path: '/members', handler: async ({ db, clock, store }) => ({ body: await membersOverview(db, [store], clock.now()) }) });
}
