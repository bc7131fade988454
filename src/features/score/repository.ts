import { z } from 'zod';
import type { Db, DbTx } from '../../db';
import { SCORE_PART_NAMES, type PartMeasure, type ScorePartName, type ScorePartSource } from '../../bot/registry';
import type { Logger } from '../../log';
import { scoreStore, type PartResult, type ScoreResult } from './compute';
import type { MonthPeriod } from './period';
import type { ScoreRules } from './rules';

/** What a part source must return; anything else is a bug in that source, and the run stops. */
const partMeasure = z.object({
  ratio: z.number().min(0).max(1),
  facts: z.record(z.string(), z.union([z.number(), z.string()])),
  losses: z.array(z.object({ label: z.string().min(1), lost: z.number().min(0).max(1) })),
});

/**
 * Measures every registered part for every store over the month and scores each store. Parts
 * with no source registered, and stores a source left out, are missing — not zero.
 */
export async function computeMonth(db: Db, sources: ReadonlyMap<ScorePartName, ScorePartSource>, rules: ScoreRules, period: MonthPeriod, log?: Logger): Promise<ScoreResult[]> {
  const storeCodes = (await db.store.findMany({ select: { code: true }, orderBy: { code: 'asc' } })).map((s) => s.code);
  const measured = new Map<ScorePartName, Map<string, PartMeasure>>();
  for (const name of SCORE_PART_NAMES) {
    const source = sources.get(name);
    if (!source) continue;
    const measures = await source(db, { start: period.start, end: period.end }, storeCodes);
    for (const [storeCode, measure] of measures) {
      const checked = partMeasure.safeParse(measure);
      if (!checked.success) throw new Error(`score part ${name} returned a bad measure for ${storeCode}: ${z.prettifyError(checked.error)}`);
    }
    measured.set(name, measures);
    log?.debug({ part: name, stores: measures.size }, 'score part measured');
  }
  return storeCodes.map((code) => scoreStore(code, period.month, Object.fromEntries([...measured].flatMap(([name, measures]) => (measures.has(code) ? [[name, measures.get(code)!]] : []))), rules));
}

/**
 * Stores the month's results; computing a month again replaces its rows (late data, changed
 * rules). One statement for all stores: atomic without holding a transaction open, however many.
 */
export async function saveScores(db: DbTx, results: ScoreResult[], computedAt: Date): Promise<void> {
  if (results.length === 0) return;
  const rows = results.map((r) => ({ store_code: r.storeCode, month: r.month, points: r.points, available_points: r.availablePoints, complete: r.complete, parts: r.parts }));
  await db.$executeRaw`
    INSERT INTO store_score (store_code, month, points, available_points, complete, parts, computed_at)
    SELECT r.store_code, r.month, r.points, r.available_points, r.complete, r.parts, ${computedAt}
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(store_code text, month text, points numeric, available_points int, complete boolean, parts jsonb)
    ON CONFLICT (store_code, month) DO UPDATE
    SET points = EXCLUDED.points, available_points = EXCLUDED.available_points, complete = EXCLUDED.complete, parts = EXCLUDED.parts, computed_at = EXCLUDED.computed_at`;
}

type StoredScore = Awaited<ReturnType<DbTx['storeScore']['findFirstOrThrow']>>;

export function fromRow(row: StoredScore): ScoreResult {
  return {
    storeCode: row.storeCode,
    month: row.month,
    points: row.points === null ? null : row.points.toNumber(),
    availablePoints: row.availablePoints,
    complete: row.complete,
    parts: row.parts as unknown as PartResult[],
  };
}

export async function loadMonth(db: DbTx, month: string, storeCodes?: string[]): Promise<ScoreResult[]> {
  const rows = await db.storeScore.findMany({ where: { month, ...(storeCodes ? { storeCode: { in: storeCodes } } : {}) }, orderBy: { storeCode: 'asc' } });
  return rows.map(fromRow);
}

/** A store's stored months, oldest first (the trend). */
export async function loadHistory(db: DbTx, storeCode: string, months = 12): Promise<ScoreResult[]> {
  const rows = await db.storeScore.findMany({ where: { storeCode }, orderBy: { month: 'desc' }, take: months });
  return rows.reverse().map(fromRow);
}

/** The months that have stored scores, newest first. */
export async function scoredMonths(db: DbTx): Promise<string[]> {
  const rows = await db.storeScore.findMany({ distinct: ['month'], select: { month: true }, orderBy: { month: 'desc' } });
  return rows.map((r) => r.month);
}
