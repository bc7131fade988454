import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { z } from 'zod';
import type { JobContext } from '../../bot/context';
import type { Config } from '../../config';
import type { Logger } from '../../log';
import { markdown } from '../../platform/outbound';
import { PROJECT_ROOT } from '../../paths';
import { biggestLosses, describeScore, rankScores, scorePercent, type ScoreResult } from './compute';
import { computeMonth } from './repository';
import { dayStart } from './period';
import type { ScoreJobDeps } from './push';
import type { StoreInfo } from './messages';

/** Mondays 09:30 chain time: the seven days just ended. */
export const WEEKLY_DIGEST_SCHEDULE = '30 9 * * 1';
const WEEK_MS = 7 * 86_400_000;
/** A slow model must not hold the job; the template goes out instead. */
const MODEL_TIMEOUT_MS = 20_000;

const PROMPT_FILE = path.join(PROJECT_ROOT, 'prompts', 'score', 'weekly-digest.md');

/** The model's answer; anything else is discarded for the template. */
export const digestAnswer = z.object({
  summary: z.string().min(1).max(300),
  highlights: z.array(z.string().min(1).max(120)).max(3),
});
export type DigestAnswer = z.infer<typeof digestAnswer>;

/** What the digest is written from: computed figures only, the same the template prints. */
export interface DigestFacts {
  scope: string;
  week: { from: string; to: string };
  stores: {
    store: string;
    score: string;
    percent: number | null;
    points: number | null;
    availablePoints: number;
    complete: boolean;
    parts: Record<string, number | null>;
    losses: { label: string; points: number }[];
  }[];
}

export function digestFacts(scope: string, stores: StoreInfo[], scores: Map<string, ScoreResult>, week: { from: string; to: string }): DigestFacts {
  const ranked = rankScores(stores.map((s) => scores.get(s.code)!));
  const names = new Map(stores.map((s) => [s.code, s.name]));
  return {
    scope,
    week,
    stores: ranked.map((r) => ({
      store: names.get(r.storeCode)!,
      score: describeScore(r),
      percent: scorePercent(r),
      points: r.points,
      availablePoints: r.availablePoints,
      complete: r.complete,
      parts: Object.fromEntries(r.parts.map((p) => [p.name, p.points])),
      losses: biggestLosses(r),
    })),
  };
}

/** The deterministic digest: what goes out without a model, and the figures under a model's summary. */
export function templateDigest(facts: DigestFacts, answer: DigestAnswer | null): string {
  const lines = [`**${facts.scope} · 本周门店健康分（${facts.week.from}–${facts.week.to}）**`];
  const scored = facts.stores.filter((s) => s.percent !== null);
  if (answer) {
    lines.push(answer.summary, ...answer.highlights.map((h) => `- ${h}`));
  } else if (scored.length) {
    const best = scored[0];
    const worst = scored[scored.length - 1];
    lines.push(
      `${facts.stores.length} 家门店，${scored.length} 家有分数，${scored.filter((s) => s.complete).length} 家四项齐全。最好：${best.store} ${best.score}${scored.length > 1 ? `；最需关注：${worst.store} ${worst.score}` : ''}。`,
    );
  } else {
    lines.push(`${facts.stores.length} 家门店本周都没有可计分的数据。`);
  }
  lines.push('');
  for (const s of facts.stores) {
    const loss = s.losses[0] ? `，丢分最多：${s.losses[0].label} −${s.losses[0].points.toFixed(1)}` : '';
    lines.push(`> ${s.store}：${s.score}${loss}`);
  }
  return lines.join('\n');
}

/** Every number the model wrote must be one of the figures: a digest never carries a number of its own. */
export function onlyKnownNumbers(answer: DigestAnswer, facts: DigestFacts): boolean {
  const known = new Set<string>();
  const addNumber = (n: number) => {
    known.add(String(n));
    known.add(n.toFixed(1));
    known.add(String(Math.round(n)));
  };
  const walk = (value: unknown): void => {
    if (typeof value === 'number') addNumber(value);
    else if (typeof value === 'string') for (const m of value.match(/\d+(\.\d+)?/g) ?? []) known.add(m);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(facts);
  addNumber(facts.stores.length);
  const written = [answer.summary, ...answer.highlights].join(' ').match(/\d+(\.\d+)?/g) ?? [];
  return written.every((n) => known.has(n));
}

/** Asks the configured model for the summary; null (→ template) when off, slow, failing or off-facts. */
export async function writeWithModel(openai: Config['openai'], facts: DigestFacts, audience: string, log: Logger): Promise<DigestAnswer | null> {
  if (!openai) return null;
  const client = new OpenAI({ apiKey: openai.apiKey, baseURL: openai.baseUrl, timeout: MODEL_TIMEOUT_MS, maxRetries: 1 });
  const prompt = fs
    .readFileSync(PROMPT_FILE, 'utf8')
    .replace('{{audience}}', audience)
    .replace('{{facts}}', JSON.stringify(facts, null, 1));
  try {
    const completion = await client.chat.completions.create({ model: openai.model, messages: [{ role: 'user', content: prompt }], response_format: { type: 'json_object' }, temperature: 0.2 });
    const parsed = digestAnswer.safeParse(JSON.parse(completion.choices[0]?.message?.content ?? ''));
    if (!parsed.success) {
      log.warn({ problems: z.prettifyError(parsed.error) }, 'weekly digest: the model answered off-schema; sending the template');
      return null;
    }
    if (!onlyKnownNumbers(parsed.data, facts)) {
      log.warn({ answer: parsed.data }, 'weekly digest: the model wrote a number that is not in the figures; sending the template');
      return null;
    }
    return parsed.data;
  } catch (err) {
    log.warn({ err }, 'weekly digest: the model did not answer; sending the template');
    return null;
  }
}

const dayLabel = (at: Date, timezone: string) => new Intl.DateTimeFormat('zh-CN', { timeZone: timezone, month: 'numeric', day: 'numeric' }).format(at);

/**
 * Mondays: the past seven days' scores, measured by the same parts, to each area manager for
 * their stores and to each admin for the chain — summarised by the model when one is configured.
 */
export async function sendWeeklyDigest(ctx: JobContext, deps: ScoreJobDeps & { openai: Config['openai'] }): Promise<void> {
  // The seven whole days before the fire's day, in chain time (Monday to Sunday for a Monday fire).
  const end = dayStart(ctx.fireTime, deps.timezone);
  const start = dayStart(new Date(end.getTime() - WEEK_MS + 12 * 3_600_000), deps.timezone);
  const week = { from: dayLabel(start, deps.timezone), to: dayLabel(new Date(end.getTime() - 1), deps.timezone) };
  const results = await computeMonth(ctx.db, deps.sources, deps.rules, { month: 'week', start, end }, ctx.log);
  const scores = new Map(results.map((r) => [r.storeCode, r]));
  const stores: StoreInfo[] = await ctx.db.store.findMany({ select: { code: true, name: true, area: true }, orderBy: { code: 'asc' } });
  const readers = await ctx.db.staff.findMany({ where: { active: true, role: { in: ['area_manager', 'admin'] } }, orderBy: { userid: 'asc' } });

  const digests = new Map<string, string>();
  const digestFor = async (scope: string, scopeStores: StoreInfo[], audience: string) => {
    if (!digests.has(scope)) {
      const facts = digestFacts(scope, scopeStores, scores, week);
      digests.set(scope, templateDigest(facts, await writeWithModel(deps.openai, facts, audience, ctx.log)));
    }
    return digests.get(scope)!;
  };
  for (const reader of readers) {
    const isAdmin = reader.role === 'admin';
    const scopeStores = isAdmin ? stores : stores.filter((s) => s.area === reader.area);
    if (scopeStores.length === 0) continue;
    const text = await digestFor(isAdmin ? '全部门店' : reader.area!, scopeStores, isAdmin ? '总部管理员' : '区域经理');
    await ctx.send(reader.userid, markdown(text));
  }
}
