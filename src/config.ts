import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import { databaseTarget, type DatabaseTarget } from './db/target';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const timezone = z.string().refine(
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

/** Who a ladder step notifies. `assignee` with no assignee: the store's staff on shift, else its store manager. */
export const LADDER_AUDIENCES = ['assignee', 'store_manager', 'area_manager', 'admin'] as const;

const ladderSchema = z.object({
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

/** Rules as data: the escalation ladders tasks walk, by name. */
export const DEFAULT_TASK_LADDERS: Record<string, Ladder> = {
  default: {
    steps: [
      { afterMinutes: 0, notify: 'assignee' },
      { afterMinutes: 30, notify: 'store_manager' },
      { afterMinutes: 120, notify: 'area_manager' },
    ],
    // Well inside the 72 h a card's response_code lasts, so every card can still say 已过期.
    expireAfterMinutes: 48 * 60,
    quietHours: true,
  },
  /** A handover not confirmed by its deadline: the incoming colleague and the store manager at once. */
  'handover.confirm': {
    steps: [
      { afterMinutes: 0, notify: 'assignee' },
      { afterMinutes: 0, notify: 'store_manager' },
    ],
    expireAfterMinutes: 48 * 60,
    quietHours: true,
  },
  /** Waste over the day's limit not confirmed (STOCK_CONFIRM_REMIND_MINUTES after it was held): the sender, then the store manager; after 12 h it is void. */
  'stock.lossHold': {
    steps: [
      { afterMinutes: 0, notify: 'assignee' },
      { afterMinutes: 60, notify: 'store_manager' },
    ],
    expireAfterMinutes: 12 * 60,
    quietHours: true,
  },
  /** A model's reading nobody confirmed: the sender once; void before the entry would count as late (2 h). */
  'stock.modelReading': {
    steps: [{ afterMinutes: 0, notify: 'assignee' }],
    expireAfterMinutes: 60,
    quietHours: true,
  },
  /** A work order not acknowledged or closed in time (by priority): the repairer, then the area manager. */
  workorder: {
    steps: [
      { afterMinutes: 0, notify: 'assignee' },
      { afterMinutes: 0, notify: 'area_manager' },
    ],
    expireAfterMinutes: 48 * 60,
    quietHours: true,
  },
};

const jsonText = z.string().transform((text, ctx) => {
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
function quietHoursSetting(example: string) {
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

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: optionalText,
  WECOM_CORP_ID: optionalText,
  WECOM_AGENT_ID: optionalText.pipe(z.string().regex(/^\d+$/, 'must be the numeric AgentId of the app').optional()),
  WECOM_SECRET: optionalText,
  WECOM_TOKEN: optionalText,
  WECOM_ENCODING_AES_KEY: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey from the WeCom console')
      .optional(),
  ),
  WECOM_API_BASE: z.url({ message: 'must be a URL such as https://qyapi.weixin.qq.com' }).default('https://qyapi.weixin.qq.com'),
  WECOM_CALLBACK_MAX_SKEW_SECONDS: z.coerce.number().int().min(0).default(300),
  WECOM_DUPLICATE_CHECK_SECONDS: z.coerce.number().int().min(0).max(14400).default(1800),
  OPENAI_BASE_URL: optionalText.pipe(z.url().optional()),
  OPENAI_API_KEY: optionalText,
  OPENAI_MODEL: optionalText,
  APP_TIMEZONE: optionalText.pipe(timezone.optional()),
  TZ: optionalText.pipe(timezone.optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: optionalText,
  METRICS_TOKEN: optionalText,
  SYNC_KEYS: optionalText.pipe(
    z
      .string()
      .regex(/^[a-z0-9_-]+:[^,\s]{16,}(,[a-z0-9_-]+:[^,\s]{16,})*$/, 'must be source:secret pairs separated by commas (secrets of 16+ characters), e.g. erp:…,pos:…')
      .optional(),
  ),
  SANDBOX_HOST: optionalText,
  STOCK_LOSS_SHARE_OF_ON_HAND: z.coerce.number().gt(0).max(1).default(0.3),
  STOCK_LOSS_MANAGER_MULTIPLE: z.coerce.number().min(1).default(2),
  STOCK_LATE_ENTRY_MINUTES: z.coerce.number().int().min(1).default(120),
  STOCK_LATE_POINTS: z.coerce.number().int().min(0).default(1),
  STOCK_REORDER_COVER_DAYS: z.coerce.number().min(0).default(3),
  STOCK_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(4000),
  STOCK_CONFIRM_REMIND_MINUTES: z.coerce.number().int().min(1).default(30),
  STOCK_UNDO_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(10),
  STOCK_LARGE_MOVE_MULTIPLE: z.coerce.number().min(1).default(3),
  STOCK_LARGE_MOVE_PACKS: z.coerce.number().gt(0).default(50),
  STOCK_LARGE_MOVE_BY_CATEGORY: optionalText.pipe(
    jsonText.pipe(z.record(z.string().trim().min(1), z.number().gt(0), { error: 'must be a JSON object of category → base units, e.g. {"乳品":240,"水果":400}' })).optional(),
  ),
  STOCK_LARGE_MOVE_BY_SKU: optionalText.pipe(
    jsonText.pipe(z.record(z.string().trim().min(1), z.number().gt(0), { error: 'must be a JSON object of SKU code → base units, e.g. {"CREAM":120}' })).optional(),
  ),
  COUNT_TOLERANCE_PERCENT: z.coerce.number().min(0, 'must be a percentage from 0 to 100').max(100, 'must be a percentage from 0 to 100').default(2),
  COUNT_TOLERANCE_BY_CATEGORY: optionalText.pipe(
    jsonText.pipe(z.record(z.string().trim().min(1), z.number().min(0).max(100), { error: 'must be a JSON object of category → percentage (0–100), e.g. {"乳品":1,"干货":3}' })).optional(),
  ),
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
  TASK_LADDERS: optionalText.pipe(jsonText.pipe(z.record(z.string(), ladderSchema).refine((ladders) => 'default' in ladders, { message: 'needs a ladder named "default"' })).optional()),
  TASK_QUIET_HOURS: quietHoursSetting('22:00-08:00').prefault('22:00-08:00'),
  MEDIA_DIR: optionalText,
  MEDIA_S3_BUCKET: optionalText,
  MEDIA_S3_ENDPOINT: optionalText.pipe(z.url({ message: 'must be the URL of an S3-compatible endpoint' }).optional()),
  MEDIA_S3_REGION: z.string().trim().min(1).default('us-east-1'),
  MEDIA_S3_ACCESS_KEY_ID: optionalText,
  MEDIA_S3_SECRET_ACCESS_KEY: optionalText,
  MEDIA_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true'),
  HANDOVER_NEW_STAFF_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  REPAIR_PHOTO_WINDOW_SECONDS: z.coerce.number().int().min(10).max(3600).default(120),
  SCORE_RULES_FILE: optionalText,
  PUBLIC_URL: optionalText.pipe(z.url({ message: 'must be the public https URL of this server, e.g. https://bot.example.com' }).optional()),
  CONSOLE_SESSION_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional()),
  CONSOLE_SESSION_HOURS: z.coerce
    .number()
    .min(0.1)
    .max(24 * 30)
    .default(12),
});

/** Demo pepper of the sandbox's member phones. Not a secret: the demo phones are made up. */
const SANDBOX_PHONE_PEPPER = 'sandbox-phone-pepper-not-a-secret';

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

/** The chain's time zone alone, for tools that need no other configuration (the admin import). */
export function chainTimezone(env: NodeJS.ProcessEnv = process.env): string {
  const parsed = z.object({ APP_TIMEZONE: optionalText.pipe(timezone.optional()), TZ: optionalText.pipe(timezone.optional()) }).safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `config: ${String(issue.path[0])} ${issue.message}`));
  return parsed.data.APP_TIMEZONE ?? parsed.data.TZ ?? DEFAULT_TIMEZONE;
}

/** Where sandbox mode mounts its fake WeCom API on our own server. */
export const SANDBOX_API_PREFIX = '/sandbox/wecom';

/** Demo credentials of the sandbox's fake WeCom. Not secrets: they open nothing real. */
export const SANDBOX_WECOM = {
  corpId: 'wwsandbox00000001',
  agentId: 1000002,
  secret: 'sandbox-secret-not-a-real-one',
  token: 'sandboxToken',
  encodingAesKey: 'c2FuZGJveC1kZW1vLWtleS0wMTIzNDU2Nzg5YWJjZGU',
} as const;

const WECOM_REQUIRED = ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const;

export interface WecomConfig {
  corpId: string;
  agentId: number;
  secret: string;
  token: string;
  encodingAesKey: string;
  apiBase: string;
  /** Callbacks whose timestamp is further than this from our clock are refused; 0 disables the check. */
  callbackMaxSkewSeconds: number;
  /**
   * WeCom drops a message whose request JSON equals one sent within this window, so a row resent
   * after a crash (lease 60 s) or a timeout (retries at 5, 15, 45 s) reaches the person once. It
   * compares the whole JSON, so the flag must be on for every send, not only resends — and the
   * same text to the same person inside the window is delivered once. Kept short for that reason.
   */
  duplicateCheckSeconds: number;
}

export interface Config {
  port: number;
  /**
   * Sandbox mode: no WeCom account; a fake WeCom and the /sandbox page run inside the server.
   * Only when no WECOM_* variable is set and NODE_ENV is not production.
   */
  sandbox: { host: string; selfUrl: string } | null;
  database: DatabaseTarget;
  wecom: WecomConfig;
  openai: { baseUrl?: string; apiKey: string; model: string } | null;
  timezone: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** When set, /metrics wants `Authorization: Bearer <token>` (the callback port is public). */
  metricsToken: string | null;
  /** Per-source HMAC secrets of the sync API (POS, ERP, WMS); empty: the API is off. */
  syncKeys: Record<string, string>;
  stockChecks: StockCheckSettings;
  members: MembersConfig;
  /** Where photos staff send are kept: a local directory, or an S3-compatible bucket when configured. */
  media: MediaConfig;
  handover: {
    /** Staff hired within this many days get hints on every card (and the step-by-step offer). */
    newStaffDays: number;
    /** A photo and a 报修 / 有异常 text this close together make one work order. */
    repairPhotoWindowSeconds: number;
  };
  /** A JSON file with the health score's weights and thresholds; null: the built-in rules. */
  scoreRulesFile: string | null;
  /** The manager console under /console; null when it is off (PUBLIC_URL and CONSOLE_SESSION_SECRET unset). */
  console: ConsoleConfig | null;
  tasks: TaskConfig;
}

/** The checks at entry and the chasing of late stock entries (see src/features/stock/README.md, "Stock checks"). */
export interface StockCheckSettings {
  /** Today's waste of a SKU above this share of the day's stock is held for review. */
  lossShareOfOnHand: number;
  /** Above this multiple of the limit, the store manager must approve too. */
  lossManagerMultiple: number;
  /** A delivery not booked, or a move recorded, this long after it happened is late. */
  lateEntryMinutes: number;
  /** Points a store loses per late delivery or late move. */
  latePoints: number;
  /** Reorder up to safety stock plus this many days of forecast usage. */
  reorderCoverDays: number;
  /** A model reading a stock message gets this long before the bot says it did not understand. */
  llmTimeoutMs: number;
  /** A held waste or a model's reading not confirmed this long after it was asked becomes due: its task's ladder starts. */
  confirmRemindMinutes: number;
  /** `撤销` (in chat or on the card) reverses the sender's last move only this long after it was booked. */
  undoMinutes: number;
  /** How far a counted quantity may be off the book and still count as accurate. */
  countTolerance: CountTolerance;
  /** A quantity typed in chat above its SKU's limit is asked back before anything is booked. */
  largeMove: LargeMoveSettings;
}

/** The largest quantity (base units) of one chat entry booked without asking back; see src/features/stock/large-moves.ts. */
export interface LargeMoveSettings {
  /** Above this multiple of the SKU's largest move in the store over the last 90 days. */
  multiple: number;
  /** With no such history: this many of the SKU's largest unit (50箱). */
  packs: number;
  /** Fixed limits that replace the two above, per SKU code and per category. */
  bySku: Record<string, number>;
  byCategory: Record<string, number>;
}

/** Shares of the book (0.02 = ±2%): the chain's, and per SKU category where one is set. */
export interface CountTolerance {
  share: number;
  byCategory: Record<string, number>;
}

export interface TaskConfig {
  ladders: Record<string, Ladder>;
  quietHours: QuietHours;
}

export interface ConsoleConfig {
  /** Where people reach this server (the OAuth redirect and the menu button point here). */
  publicUrl: string;
  /** Signs the session cookies; rotating it signs everyone out. */
  sessionSecret: string;
  sessionHours: number;
  /** Sandbox only: sign in as any demo member without OAuth. */
  demoSignIn: boolean;
}

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
export type MediaConfig = { kind: 'local'; dir: string } | { kind: 's3'; bucket: string; endpoint?: string; region: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };

/** A configuration problem, one line per bad variable, each naming it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `config: ${String(issue.path[0])} ${issue.message}`);
  // Go on with what did parse, so one run names every bad variable, not only the first kind.
  const bad = new Set(parsed.success ? [] : parsed.error.issues.map((issue) => String(issue.path[0])));
  const e = (parsed.success ? parsed.data : envSchema.partial().parse(Object.fromEntries(Object.entries(env).filter(([k]) => !bad.has(k))))) as z.infer<typeof envSchema>;

  let database: DatabaseTarget | undefined;
  try {
    database = databaseTarget(e.DATABASE_URL);
  } catch (err) {
    problems.push(`config: ${(err as Error).message}`);
  }
  // The sandbox seeds demo data and can wipe tables: only ever on the embedded database.
  const noWecom = WECOM_REQUIRED.every((name) => !e[name] && !bad.has(name));
  const sandbox = noWecom && e.NODE_ENV !== 'production' && database?.kind !== 'postgres';
  if (noWecom && !sandbox && database?.kind === 'postgres' && e.NODE_ENV !== 'production') {
    // Someone trying the sandbox against their PostgreSQL: five "required" lines would not say why.
    problems.push(
      'config: the sandbox (no WECOM_* variables) runs on the embedded database only: unset DATABASE_URL to try the sandbox, or set the five WECOM_* variables to serve your WeCom app on this PostgreSQL',
    );
  } else if (!sandbox) {
    for (const name of WECOM_REQUIRED) {
      if (!e[name] && !bad.has(name)) problems.push(`config: ${name} is required (see README, "Register the app in WeCom")`);
    }
  }
  if (e.OPENAI_API_KEY && !e.OPENAI_MODEL) problems.push('config: OPENAI_MODEL is required when OPENAI_API_KEY is set');
  if (!sandbox && Boolean(e.PUBLIC_URL) !== Boolean(e.CONSOLE_SESSION_SECRET)) {
    problems.push(`config: ${e.PUBLIC_URL ? 'CONSOLE_SESSION_SECRET' : 'PUBLIC_URL'} is required for the manager console (set both, or neither to leave it off)`);
  }
  if (!e.MEDIA_S3_ACCESS_KEY_ID !== !e.MEDIA_S3_SECRET_ACCESS_KEY)
    problems.push('config: MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY go together (or leave both unset for the default AWS credential chain)');
  if (problems.length > 0) throw new ConfigError(problems);

  if (sandbox) {
    const host = e.SANDBOX_HOST ?? '127.0.0.1';
    // The bot calls its own fake API and callback: through loopback unless bound to one address only.
    const self = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return {
      port: e.PORT,
      sandbox: { host, selfUrl: `http://${self}:${e.PORT}` },
      database: database!,
      wecom: {
        ...SANDBOX_WECOM,
        apiBase: `http://${self}:${e.PORT}${SANDBOX_API_PREFIX}`,
        callbackMaxSkewSeconds: e.WECOM_CALLBACK_MAX_SKEW_SECONDS,
        duplicateCheckSeconds: e.WECOM_DUPLICATE_CHECK_SECONDS,
      },
      openai: e.OPENAI_API_KEY ? { baseUrl: e.OPENAI_BASE_URL, apiKey: e.OPENAI_API_KEY, model: e.OPENAI_MODEL! } : null,
      timezone: e.APP_TIMEZONE ?? e.TZ ?? DEFAULT_TIMEZONE,
      logLevel: e.LOG_LEVEL,
      metricsToken: e.METRICS_TOKEN ?? null,
      syncKeys: parseSyncKeys(e.SYNC_KEYS),
      stockChecks: stockCheckSettings(e),
      members: membersConfig(e, true),
      tasks: taskConfig(e),
      ...featureSettings(e),
      scoreRulesFile: e.SCORE_RULES_FILE ?? null,
      // The sandbox signs its cookies with a fresh secret each start: demo sessions need not outlive it.
      console: {
        publicUrl: e.PUBLIC_URL ?? `http://${host === '0.0.0.0' ? 'localhost' : self}:${e.PORT}`,
        sessionSecret: e.CONSOLE_SESSION_SECRET ?? crypto.randomBytes(32).toString('hex'),
        sessionHours: e.CONSOLE_SESSION_HOURS,
        demoSignIn: true,
      },
    };
  }

  return {
    port: e.PORT,
    sandbox: null,
    database: database!,
    wecom: {
      corpId: e.WECOM_CORP_ID!,
      agentId: Number(e.WECOM_AGENT_ID),
      secret: e.WECOM_SECRET!,
      token: e.WECOM_TOKEN!,
      encodingAesKey: e.WECOM_ENCODING_AES_KEY!,
      apiBase: e.WECOM_API_BASE.replace(/\/+$/, ''),
      callbackMaxSkewSeconds: e.WECOM_CALLBACK_MAX_SKEW_SECONDS,
      duplicateCheckSeconds: e.WECOM_DUPLICATE_CHECK_SECONDS,
    },
    openai: e.OPENAI_API_KEY ? { baseUrl: e.OPENAI_BASE_URL, apiKey: e.OPENAI_API_KEY, model: e.OPENAI_MODEL! } : null,
    timezone: e.APP_TIMEZONE ?? e.TZ ?? DEFAULT_TIMEZONE,
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN ?? null,
    syncKeys: parseSyncKeys(e.SYNC_KEYS),
    stockChecks: stockCheckSettings(e),
    members: membersConfig(e, false),
    tasks: taskConfig(e),
    ...featureSettings(e),
    scoreRulesFile: e.SCORE_RULES_FILE ?? null,
    console:
      e.PUBLIC_URL && e.CONSOLE_SESSION_SECRET
        ? { publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''), sessionSecret: e.CONSOLE_SESSION_SECRET, sessionHours: e.CONSOLE_SESSION_HOURS, demoSignIn: false }
        : null,
  };
}

function stockCheckSettings(e: z.infer<typeof envSchema>): StockCheckSettings {
  return {
    lossShareOfOnHand: e.STOCK_LOSS_SHARE_OF_ON_HAND,
    lossManagerMultiple: e.STOCK_LOSS_MANAGER_MULTIPLE,
    lateEntryMinutes: e.STOCK_LATE_ENTRY_MINUTES,
    latePoints: e.STOCK_LATE_POINTS,
    reorderCoverDays: e.STOCK_REORDER_COVER_DAYS,
    llmTimeoutMs: e.STOCK_LLM_TIMEOUT_MS,
    confirmRemindMinutes: e.STOCK_CONFIRM_REMIND_MINUTES,
    undoMinutes: e.STOCK_UNDO_MINUTES,
    countTolerance: {
      share: e.COUNT_TOLERANCE_PERCENT / 100,
      byCategory: Object.fromEntries(Object.entries(e.COUNT_TOLERANCE_BY_CATEGORY ?? {}).map(([category, percent]) => [category, percent / 100])),
    },
    largeMove: { multiple: e.STOCK_LARGE_MOVE_MULTIPLE, packs: e.STOCK_LARGE_MOVE_PACKS, bySku: e.STOCK_LARGE_MOVE_BY_SKU ?? {}, byCategory: e.STOCK_LARGE_MOVE_BY_CATEGORY ?? {} },
  };
}

function membersConfig(e: z.infer<typeof envSchema>, sandbox: boolean): MembersConfig {
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
}

function parseSyncKeys(value: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (value ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)]),
  );
}

function taskConfig(e: z.infer<typeof envSchema>): TaskConfig {
  return { ladders: e.TASK_LADDERS ?? DEFAULT_TASK_LADDERS, quietHours: e.TASK_QUIET_HOURS };
}

function featureSettings(e: z.infer<typeof envSchema>): Pick<Config, 'media' | 'handover'> {
  const media: MediaConfig = e.MEDIA_S3_BUCKET
    ? {
        kind: 's3',
        bucket: e.MEDIA_S3_BUCKET,
        endpoint: e.MEDIA_S3_ENDPOINT,
        region: e.MEDIA_S3_REGION,
        accessKeyId: e.MEDIA_S3_ACCESS_KEY_ID,
        secretAccessKey: e.MEDIA_S3_SECRET_ACCESS_KEY,
        forcePathStyle: e.MEDIA_S3_FORCE_PATH_STYLE === 'true',
      }
    : { kind: 'local', dir: path.resolve(e.MEDIA_DIR ?? path.join('data', 'media')) };
  return { media, handover: { newStaffDays: e.HANDOVER_NEW_STAFF_DAYS, repairPhotoWindowSeconds: e.REPAIR_PHOTO_WINDOW_SECONDS } };
}
