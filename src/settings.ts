import { z } from 'zod';

/**
 * What a feature reads from the environment, as a slice of the app's configuration: its own
 * variables (a zod object), and the settings it makes of them, found at `config[key]`.
 * src/config.ts composes every feature's slice with its own variables, so one start names every
 * bad variable of every feature, one line each.
 *
 * The settings' type joins `Config` through `FeatureSettings`: the feature's settings module
 * adds its key there (`declare module '../../settings' { interface FeatureSettings { … } }`),
 * so `ctx.config.stockChecks` is typed wherever a feature reads it.
 */
export interface SettingsSlice<K extends keyof FeatureSettings = keyof FeatureSettings> {
  key: K;
  /** The variables, each with its check and default. Names start with the feature's prefix (STOCK_, MEMBERS_…). */
  env: z.ZodObject;
  /** Problems no single variable shows (two that go together), each a line naming the variables. */
  problems?(env: Record<string, unknown>): string[];
  build(env: Record<string, unknown>, context: SettingsContext): FeatureSettings[K];
}

/** Settings of every feature, by their key in `Config`; each feature's settings module adds its own. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface FeatureSettings {}

export interface SettingsContext {
  /** Sandbox mode: demo defaults (a made-up phone pepper, no quiet hours). */
  sandbox: boolean;
  /** The escalation ladders features declare, by name (the task engine's defaults). */
  ladders: Record<string, Ladder>;
}

/**
 * A slice, typed: `build` gets the slice's variables as its schema parses them. The cast is the
 * one place the composed, untyped environment meets a slice's own types.
 */
export function settingsSlice<K extends keyof FeatureSettings, S extends z.ZodObject>(slice: {
  key: K;
  env: S;
  problems?(env: z.infer<S>): string[];
  build(env: z.infer<S>, context: SettingsContext): FeatureSettings[K];
}): SettingsSlice<K> {
  return slice as unknown as SettingsSlice<K>;
}

// ── the kinds of value settings share ──

/** An unset or blank variable is absent, so its default applies. */
export const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

export const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Asia/Shanghai' },
);

export const jsonText = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON' });
    return z.NEVER;
  }
});

const clockTime = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Minutes after local midnight, in the chain time zone; start > end spans midnight. null: none. */
export type QuietHours = { start: number; end: number } | null;

/** Every quiet-hours setting reads the same way: `HH:MM-HH:MM` in the chain time zone, or `off`. */
export function quietHoursSetting(example: string) {
  return z
    .string()
    .trim()
    .transform((v, ctx): QuietHours => {
      if (v === '' || v === 'off') return null;
      const [start, end, extra] = v.split('-');
      if (extra !== undefined || !clockTime.test(start ?? '') || !clockTime.test(end ?? '')) {
        ctx.addIssue({ code: 'custom', message: `must be HH:MM-HH:MM in the chain time zone (${example}), or off` });
        return z.NEVER;
      }
      const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
      return minutes(start) === minutes(end) ? null : { start: minutes(start), end: minutes(end) };
    });
}

// ── escalation ladders: how the task engine reminds and escalates what a feature asked of someone ──

/** Who a ladder step notifies. `assignee` with no assignee: the store's staff on shift, else its store manager. */
export const LADDER_AUDIENCES = ['assignee', 'store_manager', 'area_manager', 'admin'] as const;

export const ladderSchema = z.object({
  /** Minutes after the task's due time; the first step is the reminder itself (usually 0). */
  steps: z
    .array(z.object({ afterMinutes: z.number().int().min(0), notify: z.enum(LADDER_AUDIENCES) }))
    .min(1)
    .refine((steps) => steps.every((s, i) => i === 0 || s.afterMinutes >= steps[i - 1].afterMinutes), { message: 'steps must be in order of afterMinutes' }),
  /** An unfinished task is closed as expired this long after its due time; absent: never. */
  expireAfterMinutes: z.number().int().positive().optional(),
  /** false: this ladder also pings during quiet hours (safety issues). */
  quietHours: z.boolean().default(true),
});
export type Ladder = z.infer<typeof ladderSchema>;

/** A ladder's step in the features' own ladders: `ladderStep('store_manager', 60)` notifies the store manager an hour past due. */
export const ladderStep = (notify: (typeof LADDER_AUDIENCES)[number], afterMinutes = 0): Ladder['steps'][number] => ({ afterMinutes, notify });
