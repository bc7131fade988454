import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db';
import { SCORE_PART_NAMES, type DemoContext, type PartMeasure, type ScorePartName } from '../../bot/registry';
import { PROJECT_ROOT } from '../../paths';
import { scoreStore } from './compute';
import { monthOf, previousMonth } from './period';
import { saveScores } from './repository';
import { DEFAULT_SCORE_RULES } from './rules';

const HISTORY_FILE = path.join(PROJECT_ROOT, 'src', 'features', 'score', 'demo-history.json');

interface DemoHistory {
  stores: Record<string, Record<ScorePartName, (number | null)[]>>;
  losses: Record<string, Partial<Record<ScorePartName, { label: string; lost: number }[]>>>;
}

/** Sandbox: six months of scores for the demo stores, so the console has a ranking and a trend. */
export async function seedDemoScores(db: Db, { now, config: { timezone } }: DemoContext): Promise<void> {
  const history = JSON.parse(fs.readFileSync(HISTORY_FILE, 'utf8')) as DemoHistory;
  const months: string[] = [];
  for (let m = monthOf(now, timezone), i = 0; i < 6; i++) months.unshift((m = previousMonth(m)));
  const results = Object.entries(history.stores).flatMap(([store, parts]) =>
    months.map((month, i) => {
      const measures: Partial<Record<ScorePartName, PartMeasure>> = {};
      for (const name of SCORE_PART_NAMES) {
        const ratio = parts[name][i];
        if (ratio !== null) measures[name] = { ratio, facts: {}, losses: history.losses[store]?.[name] ?? [] };
      }
      return scoreStore(store, month, measures, DEFAULT_SCORE_RULES);
    }),
  );
  await saveScores(db, results, now);
}
