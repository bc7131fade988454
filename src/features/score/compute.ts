import { SCORE_PART_NAMES, type PartMeasure, type ScorePartName } from '../../bot/registry';
import { PART_LABELS, type PartRule, type ScoreRules } from './rules';

/** One part of a store's month: points null when the part had no data (shown as missing). */
export interface PartResult {
  name: ScorePartName;
  weight: number;
  points: number | null;
  ratio: number | null;
  facts: Record<string, number | string>;
  losses: { label: string; lost: number }[];
}

export interface ScoreResult {
  storeCode: string;
  month: string;
  /** The points of the parts that had data; null when none had. */
  points: number | null;
  /** The weights of the parts that had data: the maximum `points` could be. 100 when complete. */
  availablePoints: number;
  complete: boolean;
  parts: PartResult[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** A ratio as points: full marks at `full` and above, none at `zero` and below, linear between. */
export function pointsFor(ratio: number, rule: PartRule): number {
  const share = Math.min(1, Math.max(0, (ratio - rule.zero) / (rule.full - rule.zero)));
  return round1(rule.weight * share);
}

/**
 * A store's score for a month from the measures its parts' sources returned. A part without a
 * measure is missing: it adds nothing and lowers the available maximum, so a partial score is
 * "points out of what could be measured", flagged as incomplete — never a guess for the gap.
 */
export function scoreStore(storeCode: string, month: string, measures: Partial<Record<ScorePartName, PartMeasure>>, rules: ScoreRules): ScoreResult {
  const parts: PartResult[] = SCORE_PART_NAMES.map((name) => {
    const rule = rules.parts[name];
    const measure = measures[name];
    if (!measure) return { name, weight: rule.weight, points: null, ratio: null, facts: {}, losses: [] };
    return { name, weight: rule.weight, points: pointsFor(measure.ratio, rule), ratio: measure.ratio, facts: measure.facts, losses: measure.losses };
  });
  const present = parts.filter((p) => p.points !== null);
  return {
    storeCode,
    month,
    points: present.length ? round1(present.reduce((sum, p) => sum + p.points!, 0)) : null,
    availablePoints: present.reduce((sum, p) => sum + p.weight, 0),
    complete: present.length === parts.length,
    parts,
  };
}

/** points / available maximum, 0..100: what stores are ranked by (a complete score is its points). */
export function scorePercent(score: Pick<ScoreResult, 'points' | 'availablePoints'>): number | null {
  return score.points === null || score.availablePoints === 0 ? null : round1((score.points / score.availablePoints) * 100);
}

/** `82.5 分`; partial `65.0/75 分（缺会员活跃度）`; `无数据`. */
export function describeScore(score: ScoreResult): string {
  if (score.points === null) return '无数据';
  if (score.complete) return `${score.points.toFixed(1)} 分`;
  const missing = score.parts.filter((p) => p.points === null).map((p) => PART_LABELS[p.name]);
  return `${score.points.toFixed(1)}/${score.availablePoints} 分（不完整，缺${missing.join('、')}）`;
}

export function describePart(part: PartResult): string {
  return part.points === null ? `${PART_LABELS[part.name]} 缺数据` : `${PART_LABELS[part.name]} ${part.points.toFixed(1)}/${part.weight}`;
}

/**
 * The change on an earlier month, in points — only when both months measured the same parts:
 * otherwise the difference would be partly a part appearing or vanishing, not the store.
 */
export function changeOn(current: ScoreResult, previous: ScoreResult | null): { delta: number } | { reason: 'noPrevious' | 'differentParts' } {
  if (!previous || previous.points === null || current.points === null) return { reason: 'noPrevious' };
  const measured = (s: ScoreResult) =>
    s.parts
      .filter((p) => p.points !== null)
      .map((p) => p.name)
      .join();
  if (measured(current) !== measured(previous)) return { reason: 'differentParts' };
  return { delta: round1(current.points - previous.points) };
}

export function describeChange(change: ReturnType<typeof changeOn>, previousLabel: string): string {
  if ('delta' in change) return `比${previousLabel} ${change.delta > 0 ? '+' : change.delta < 0 ? '−' : '±'}${Math.abs(change.delta).toFixed(1)} 分`;
  return change.reason === 'noPrevious' ? `${previousLabel}无分数可比` : `${previousLabel}计分项不同，不作比较`;
}

/**
 * What cost the most points this month, biggest first. A loss's `lost` is how much of the ratio
 * it took away (1 − ratio in all, for a part that names every cause); the part's lost points
 * (weight − points) are shared among its losses in that proportion, never more than the part lost.
 * A part that lost points without naming why is one loss of its own.
 */
export function biggestLosses(score: ScoreResult, count = 3): { label: string; points: number }[] {
  const all = score.parts.flatMap((part) => {
    if (part.points === null || part.ratio === null) return [];
    const lostPoints = part.weight - part.points;
    if (lostPoints <= 0) return [];
    const named = part.losses.filter((l) => l.lost > 0);
    const total = named.reduce((sum, l) => sum + l.lost, 0);
    if (total === 0) return [{ label: PART_LABELS[part.name], points: round1(lostPoints) }];
    const shortfall = Math.max(1 - part.ratio, total);
    return named.map((l) => ({ label: `${PART_LABELS[part.name]}：${l.label}`, points: round1((lostPoints * l.lost) / shortfall) }));
  });
  return all
    .filter((l) => l.points > 0)
    .sort((a, b) => b.points - a.points)
    .slice(0, count);
}

/** Stores best first by percent of their available maximum; stores with no data last. */
export function rankScores<T extends Pick<ScoreResult, 'points' | 'availablePoints' | 'storeCode'>>(scores: T[]): (T & { rank: number | null; percent: number | null })[] {
  const withPercent = scores.map((s) => ({ ...s, percent: scorePercent(s) }));
  withPercent.sort((a, b) => (b.percent ?? -1) - (a.percent ?? -1) || a.storeCode.localeCompare(b.storeCode));
  let rank = 0;
  let lastPercent: number | null = null;
  return withPercent.map((s, i) => {
    if (s.percent === null) return { ...s, rank: null };
    if (s.percent !== lastPercent) rank = i + 1;
    lastPercent = s.percent;
    return { ...s, rank };
  });
}
