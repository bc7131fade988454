import fs from 'node:fs';
import { z } from 'zod';
import { SCORE_PART_NAMES, type ScorePartName } from '../../bot/registry';

/**
 * How a part's ratio (0..1) becomes points: full marks at or above `full`, none at or below
 * `zero`, a straight line between. The chain's weights and thresholds are data, not code.
 */
const partRule = z
  .object({
    weight: z.number().int().min(0).max(100),
    full: z.number().min(0).max(1),
    zero: z.number().min(0).max(1),
  })
  .refine((r) => r.zero < r.full, { message: 'zero must be below full' });

export const scoreRulesSchema = z
  .object({
    parts: z.object(Object.fromEntries(SCORE_PART_NAMES.map((name) => [name, partRule])) as Record<ScorePartName, typeof partRule>),
  })
  .strict()
  .refine((r) => Object.values(r.parts).reduce((sum, p) => sum + p.weight, 0) === 100, { message: 'the weights must add up to 100' });

export type ScoreRules = z.infer<typeof scoreRulesSchema>;
export type PartRule = z.infer<typeof partRule>;

/** The chain's rules as the issue states them: accuracy 30, handovers 25, members 25, tasks 20. */
export const DEFAULT_SCORE_RULES: ScoreRules = {
  parts: {
    inventoryAccuracy: { weight: 30, full: 0.99, zero: 0.9 },
    handoverCompleteness: { weight: 25, full: 0.95, zero: 0.5 },
    memberActivity: { weight: 25, full: 1, zero: 0.3 },
    taskTimeliness: { weight: 20, full: 0.95, zero: 0.5 },
  },
};

/** Chinese names, as managers read them. */
export const PART_LABELS: Record<ScorePartName, string> = {
  inventoryAccuracy: '库存准确率',
  handoverCompleteness: '交接完整度',
  memberActivity: '会员活跃度',
  taskTimeliness: '任务及时率',
};

/** The rules from SCORE_RULES_FILE (JSON), or the defaults; a bad file stops the start with every problem named. */
export function loadScoreRules(file: string | null): ScoreRules {
  if (!file) return DEFAULT_SCORE_RULES;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`SCORE_RULES_FILE ${file}: ${(err as Error).message}`);
  }
  const parsed = scoreRulesSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`SCORE_RULES_FILE ${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
