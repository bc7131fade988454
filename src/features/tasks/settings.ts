import { z } from 'zod';
import { jsonText, ladderSchema, ladderStep, optionalText, quietHoursSetting, settingsSlice, type Ladder, type QuietHours } from '../../settings';

export interface TaskConfig {
  /** Every ladder a task may walk, by name: `default` and the ones features declare, or TASK_LADDERS. */
  ladders: Record<string, Ladder>;
  quietHours: QuietHours;
}

declare module '../../settings' {
  interface FeatureSettings {
    tasks: TaskConfig;
  }
}

/** Rules as data: what a task walks when its feature names no ladder of its own. */
const DEFAULT_LADDER: Ladder = {
  steps: [ladderStep('assignee'), ladderStep('store_manager', 30), ladderStep('area_manager', 120)],
  // Well inside the 72 h a card's response_code lasts, so every card can still say 已过期.
  expireAfterMinutes: 48 * 60,
  quietHours: true,
};

export const tasksSettings = settingsSlice({
  key: 'tasks',
  env: z.object({
    /** Replaces every ladder (the features' too); a task naming a ladder it lacks walks its `default`. */
    TASK_LADDERS: optionalText.pipe(jsonText.pipe(z.record(z.string(), ladderSchema).refine((ladders) => 'default' in ladders, { message: 'needs a ladder named "default"' })).optional()),
    TASK_QUIET_HOURS: quietHoursSetting('22:00-08:00').prefault('22:00-08:00'),
  }),
  build: (e, { ladders }) => ({ ladders: e.TASK_LADDERS ?? { default: DEFAULT_LADDER, ...ladders }, quietHours: e.TASK_QUIET_HOURS }),
});
