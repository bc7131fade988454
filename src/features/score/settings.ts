import { z } from 'zod';
import { optionalText, settingsSlice } from '../../settings';

declare module '../../settings' {
  interface FeatureSettings {
    /** A JSON file with the health score's weights and thresholds; null: the built-in rules. */
    scoreRulesFile: string | null;
  }
}

export const scoreSettings = settingsSlice({
  key: 'scoreRulesFile',
  env: z.object({ SCORE_RULES_FILE: optionalText }),
  build: (e) => e.SCORE_RULES_FILE ?? null,
});
