import { z } from 'zod';
import { settingsSlice } from '../../settings';

export interface RosterSettings {
  /** How many days ahead `我的班` and the console's 排班 table show, today included. */
  days: number;
}

declare module '../../settings' {
  interface FeatureSettings {
    roster: RosterSettings;
  }
}

export const rosterSettings = settingsSlice({
  key: 'roster',
  env: z.object({ ROSTER_DAYS: z.coerce.number().int().min(1, 'must be a number of days from 1 to 31').max(31, 'must be a number of days from 1 to 31').default(7) }),
  build: (e) => ({ days: e.ROSTER_DAYS }),
});
