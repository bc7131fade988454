import type { BotRegistry } from '../../bot/registry';
import { columns, type SectionRow } from '../../console/types';
import { visibleStores } from '../../people';
import { biggestLosses, changeOn, rankScores, scorePercent, type ScoreResult } from './compute';
import { monthOf, previousMonth } from './period';
import { loadHistory, loadMonth, scoredMonths } from './repository';
import { PART_LABELS } from './rules';

const emptyScore = (storeCode: string, month: string): ScoreResult => ({ storeCode, month, points: null, availablePoints: 0, complete: false, parts: [] });

/**
 * The score in the console: the ranking of the stores a member may see for a month (the page's
 * first view, also as CSV), and one store's trend, parts and biggest losses.
 */
export function registerScoreConsole(bot: BotRegistry): void {
  bot.consoleApi({
    method: 'GET',
    scope: 'chain',
    path: '/ranking',
    async handler({ db, clock, config, staff, query }) {
      const stores = await visibleStores(db, staff);
      const months = await scoredMonths(db);
      const month = /^\d{4}-\d{2}$/.test(String(query.month ?? '')) ? String(query.month) : (months[0] ?? previousMonth(monthOf(clock.now(), config.timezone)));
      const codes = stores.map((s) => s.code);
      const scores = new Map((await loadMonth(db, month, codes)).map((s) => [s.storeCode, s]));
      const previous = new Map((await loadMonth(db, previousMonth(month), codes)).map((s) => [s.storeCode, s]));
      const ranked = rankScores(stores.map((s) => scores.get(s.code) ?? emptyScore(s.code, month)));
      const byCode = new Map(stores.map((s) => [s.code, s]));
      const table = columns({ rank: '排名', store: '门店', area: ['区域', 'select'], points: '得分', available: '可得满分', percent: '得分率%', completeness: ['完整性', 'select'] }, PART_LABELS, {
        change: '比上月',
      });
      const rows: SectionRow[] = ranked.map((r) => {
        const change = changeOn(r, previous.get(r.storeCode) ?? null);
        return {
          id: r.storeCode,
          cells: {
            rank: r.rank,
            store: byCode.get(r.storeCode)!.name,
            area: byCode.get(r.storeCode)!.area,
            points: r.points,
            available: r.availablePoints,
            percent: r.percent,
            completeness: r.points === null ? '无数据' : r.complete ? '完整' : '不完整',
            ...Object.fromEntries(r.parts.map((p) => [p.name, p.points])),
            change: 'delta' in change ? change.delta : null,
          },
        };
      });
      return { body: { month, months, columns: table, rows }, csv: { name: `门店健康分排名-${month}`, columns: table, rows } };
    },
  });

  bot.consoleApi({
    method: 'GET',
    scope: 'store',
    path: '/score',
    async handler({ db, store }) {
      const history = await loadHistory(db, store.code, 12);
      const latest = history.at(-1) ?? null;
      const before = latest ? (history.find((h) => h.month === previousMonth(latest.month)) ?? null) : null;
      return {
        body: {
          trend: history.map((h) => ({ month: h.month, points: h.points, availablePoints: h.availablePoints, percent: scorePercent(h), complete: h.complete })),
          latest: latest && {
            month: latest.month,
            points: latest.points,
            availablePoints: latest.availablePoints,
            complete: latest.complete,
            change: changeOn(latest, before),
            parts: latest.parts.map((p) => ({ name: p.name, label: PART_LABELS[p.name], weight: p.weight, points: p.points, ratio: p.ratio, facts: p.facts })),
            losses: biggestLosses(latest, 5),
          },
        },
      };
    },
  });
}
