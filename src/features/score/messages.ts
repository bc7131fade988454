import { PART_LABELS } from './rules';
import { biggestLosses, changeOn, describeChange, describePart, describeScore, rankScores, type ScoreResult } from './compute';
import { monthName, previousMonth } from './period';

export interface StoreInfo {
  code: string;
  name: string;
  area: string | null;
}

/** The store manager's monthly message: score, parts, change on last month, the three biggest losses. */
export function storeManagerMessage(store: StoreInfo, score: ScoreResult, previous: ScoreResult | null, consoleUrl: string | null): string {
  const lastMonth = monthName(previousMonth(score.month));
  const lines = [`**${store.name} · ${monthName(score.month, true)}门店健康分**`];
  if (score.points === null) {
    lines.push('本月四项都没有数据，没有分数。请确认盘点、交接、会员和任务都在用门店助手记录。');
  } else {
    lines.push(`得分：**${describeScore(score)}**（${describeChange(changeOn(score, previous), lastMonth)}）`);
    for (const part of score.parts) lines.push(`> ${describePart(part)}`);
    const losses = biggestLosses(score);
    if (losses.length) {
      lines.push('丢分最多的三项：');
      losses.forEach((l, i) => lines.push(`${i + 1}. ${l.label}  −${l.points.toFixed(1)} 分`));
    }
  }
  if (consoleUrl) lines.push(`[在管理台查看](${consoleUrl}/console/store/${encodeURIComponent(store.code)})`);
  return lines.join('\n');
}

/** The area manager's monthly message: their stores ranked, with each one's change on last month. */
export function areaRankingMessage(area: string, month: string, stores: StoreInfo[], scores: Map<string, ScoreResult>, previous: Map<string, ScoreResult>, consoleUrl: string | null): string {
  const lastMonth = monthName(previousMonth(month));
  const ranked = rankScores(stores.map((s) => scores.get(s.code) ?? { storeCode: s.code, month, points: null, availablePoints: 0, complete: false, parts: [] }));
  const byCode = new Map(stores.map((s) => [s.code, s]));
  const lines = [`**${area} · ${monthName(month, true)}门店健康分排名**`];
  for (const r of ranked) {
    const name = byCode.get(r.storeCode)!.name;
    if (r.rank === null) {
      lines.push(`— ${name}：无数据`);
      continue;
    }
    const change = describeChange(changeOn(r, previous.get(r.storeCode) ?? null), lastMonth);
    lines.push(`${r.rank}. ${name}：${describeScore(r)}（${change}）`);
  }
  if (ranked.some((r) => r.rank !== null && !r.complete)) lines.push('> 不完整的分数按"已有项得分 / 已有项满分"排名。');
  if (consoleUrl) lines.push(`[在管理台查看](${consoleUrl}/console/)`);
  return lines.join('\n');
}

export { PART_LABELS };
