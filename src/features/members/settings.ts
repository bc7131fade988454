import { z } from 'zod';
import { optionalText, quietHoursSetting, settingsSlice, type QuietHours } from '../../settings';

/** Member marketing: the phone pepper and the caps every coupon push respects. */
export interface MembersConfig {
  /** Phones are stored as HMAC-SHA256(pepper, phone); null: rows carrying a phone are refused. */
  phonePepper: string | null;
  /** Campaign messages per member per calendar month, across campaigns; 'days': the month's days (WeCom's current rule). */
  monthlyMessages: number | 'days';
  /** Campaign messages per member per 7 days, chain-wide. */
  weeklyMessages: number;
  /** Campaign messages a member gets from one member of staff per day (WeCom: 1). */
  dailyPerStaff: number;
  /** When no campaign is built or sent. */
  quietHours: QuietHours;
  /** After this long unconfirmed, the owner staff is reminded (WeCom's remind call and a chat message). */
  remindAfterHours: number;
  smsProvider: 'off' | 'log';
}

declare module '../../settings' {
  interface FeatureSettings {
    members: MembersConfig;
  }
}

/** Demo pepper of the sandbox's member phones. Not a secret: the demo phones are made up. */
const SANDBOX_PHONE_PEPPER = 'sandbox-phone-pepper-not-a-secret';

export const membersSettings = settingsSlice({
  key: 'members',
  env: z.object({
    MEMBERS_PHONE_PEPPER: optionalText.pipe(z.string().min(16, 'must be a secret of 16+ characters (phones are stored as HMAC-SHA256 with it)').optional()),
    MEMBERS_MONTHLY_MESSAGES: z
      .string()
      .trim()
      .regex(/^(days|\d+)$/, 'must be a number or "days" (as many as the month has days — WeCom\'s current rule)')
      .default('days'),
    MEMBERS_WEEKLY_MESSAGES: z.coerce.number().int().min(0).default(2),
    MEMBERS_DAILY_PER_STAFF: z.coerce.number().int().min(0).default(1),
    MEMBERS_QUIET_HOURS: quietHoursSetting('21:00-09:00').optional(),
    MEMBERS_REMIND_AFTER_HOURS: z.coerce.number().min(0).default(4),
    MEMBERS_SMS_PROVIDER: z.enum(['off', 'log']).default('off'),
  }),
  build: (e, { sandbox }) => {
    const monthly = e.MEMBERS_MONTHLY_MESSAGES ?? 'days';
    return {
      phonePepper: e.MEMBERS_PHONE_PEPPER ?? (sandbox ? SANDBOX_PHONE_PEPPER : null),
      monthlyMessages: monthly === 'days' ? 'days' : Number(monthly),
      weeklyMessages: e.MEMBERS_WEEKLY_MESSAGES ?? 2,
      dailyPerStaff: e.MEMBERS_DAILY_PER_STAFF ?? 1,
      // The sandbox is tried at any hour: its demo campaign should not wait for morning.
      quietHours: e.MEMBERS_QUIET_HOURS !== undefined ? e.MEMBERS_QUIET_HOURS : sandbox ? null : { start: 21 * 60, end: 9 * 60 },
      remindAfterHours: e.MEMBERS_REMIND_AFTER_HOURS ?? 4,
      smsProvider: e.MEMBERS_SMS_PROVIDER ?? 'off',
    };
  },
});
