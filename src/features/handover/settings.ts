import { z } from 'zod';
import { ladderStep, settingsSlice, type Ladder } from '../../settings';

export interface HandoverSettings {
  /** Staff hired within this many days get hints on every card (and the step-by-step offer). */
  newStaffDays: number;
  /** A photo and a 报修 / 有异常 text this close together make one work order. */
  repairPhotoWindowSeconds: number;
}

declare module '../../settings' {
  interface FeatureSettings {
    handover: HandoverSettings;
  }
}

export const handoverSettings = settingsSlice({
  key: 'handover',
  env: z.object({
    HANDOVER_NEW_STAFF_DAYS: z.coerce.number().int().min(0).max(365).default(30),
    REPAIR_PHOTO_WINDOW_SECONDS: z.coerce.number().int().min(10).max(3600).default(120),
  }),
  build: (e) => ({ newStaffDays: e.HANDOVER_NEW_STAFF_DAYS, repairPhotoWindowSeconds: e.REPAIR_PHOTO_WINDOW_SECONDS }),
});

export const HANDOVER_LADDERS: Record<string, Ladder> = {
  /** A handover not confirmed by its deadline: the incoming colleague and the store manager at once. */
  'handover.confirm': {
    steps: [ladderStep('assignee'), ladderStep('store_manager')],
    expireAfterMinutes: 48 * 60,
    quietHours: true,
  },
};
