import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import { databaseTarget, type DatabaseTarget } from './db/target';
import { FEATURES } from './features';
import type { Feature } from './bot/registry';
import { optionalText, timezone, type FeatureSettings, type SettingsSlice } from './settings';
import { DEFAULT_TIMEZONE } from './timezone';

/** The variables of the app itself; each feature's own come from its settings slice. */
const coreSchema = z.object({
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
  MEDIA_DIR: optionalText,
  MEDIA_S3_BUCKET: optionalText,
  MEDIA_S3_ENDPOINT: optionalText.pipe(z.url({ message: 'must be the URL of an S3-compatible endpoint' }).optional()),
  MEDIA_S3_REGION: z.string().trim().min(1).default('us-east-1'),
  MEDIA_S3_ACCESS_KEY_ID: optionalText,
  MEDIA_S3_SECRET_ACCESS_KEY: optionalText,
  MEDIA_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true'),
  PUBLIC_URL: optionalText.pipe(z.url({ message: 'must be the public https URL of this server, e.g. https://bot.example.com' }).optional()),
  CONSOLE_SESSION_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional()),
  CONSOLE_SESSION_HOURS: z.coerce
    .number()
    .min(0.1)
    .max(24 * 30)
    .default(12),
});

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

/**
 * The app's configuration: its own settings, and each feature's (`stockChecks`, `members`,
 * `tasks`…), which the feature's settings slice declares and builds.
 */
export interface Config extends FeatureSettings {
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
  logLevel: z.infer<typeof coreSchema>['LOG_LEVEL'];
  /** When set, /metrics wants `Authorization: Bearer <token>` (the callback port is public). */
  metricsToken: string | null;
  /** Per-source HMAC secrets of the sync API (POS, ERP, WMS); empty: the API is off. */
  syncKeys: Record<string, string>;
  /** Where photos staff send are kept: a local directory, or an S3-compatible bucket when configured. */
  media: MediaConfig;
  /** The manager console under /console; null when it is off (PUBLIC_URL and CONSOLE_SESSION_SECRET unset). */
  console: ConsoleConfig | null;
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

export type MediaConfig = { kind: 'local'; dir: string } | { kind: 's3'; bucket: string; endpoint?: string; region: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };

/** A configuration problem, one line per bad variable, each naming it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, features: readonly Feature[] = FEATURES): Config {
  const slices = features.flatMap((f) => (f.settings ? [f.settings] : []));
  const schema = composedSchema(slices);
  const parsed = schema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `config: ${String(issue.path[0])} ${issue.message}`);
  // Go on with what did parse, so one run names every bad variable, not only the first kind.
  const bad = new Set(parsed.success ? [] : parsed.error.issues.map((issue) => String(issue.path[0])));
  const all = (parsed.success ? parsed.data : schema.partial().parse(Object.fromEntries(Object.entries(env).filter(([k]) => !bad.has(k))))) as Record<string, unknown>;
  const e = all as z.infer<typeof coreSchema>;

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
  for (const slice of slices) problems.push(...(slice.problems?.(all) ?? []).map((line) => `config: ${line}`));
  if (problems.length > 0) throw new ConfigError(problems);
  const context = { sandbox, ladders: Object.assign({}, ...features.map((f) => f.ladders ?? {})) };
  const featureSettings = Object.fromEntries(slices.map((slice) => [slice.key, slice.build(all, context)])) as unknown as FeatureSettings;

  // What the sandbox and a real deployment read alike.
  const shared = {
    port: e.PORT,
    database: database!,
    openai: e.OPENAI_API_KEY ? { baseUrl: e.OPENAI_BASE_URL, apiKey: e.OPENAI_API_KEY, model: e.OPENAI_MODEL! } : null,
    timezone: e.APP_TIMEZONE ?? e.TZ ?? DEFAULT_TIMEZONE,
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN ?? null,
    syncKeys: parseSyncKeys(e.SYNC_KEYS),
    media: mediaConfig(e),
    ...featureSettings,
  };
  const callbackChecks = { callbackMaxSkewSeconds: e.WECOM_CALLBACK_MAX_SKEW_SECONDS, duplicateCheckSeconds: e.WECOM_DUPLICATE_CHECK_SECONDS };

  if (sandbox) {
    const host = e.SANDBOX_HOST ?? '127.0.0.1';
    // The bot calls its own fake API and callback: through loopback unless bound to one address only.
    const self = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return {
      ...shared,
      sandbox: { host, selfUrl: `http://${self}:${e.PORT}` },
      wecom: { ...SANDBOX_WECOM, apiBase: `http://${self}:${e.PORT}${SANDBOX_API_PREFIX}`, ...callbackChecks },
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
    ...shared,
    sandbox: null,
    wecom: {
      corpId: e.WECOM_CORP_ID!,
      agentId: Number(e.WECOM_AGENT_ID),
      secret: e.WECOM_SECRET!,
      token: e.WECOM_TOKEN!,
      encodingAesKey: e.WECOM_ENCODING_AES_KEY!,
      apiBase: e.WECOM_API_BASE.replace(/\/+$/, ''),
      ...callbackChecks,
    },
    console:
      e.PUBLIC_URL && e.CONSOLE_SESSION_SECRET
        ? { publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''), sessionSecret: e.CONSOLE_SESSION_SECRET, sessionHours: e.CONSOLE_SESSION_HOURS, demoSignIn: false }
        : null,
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

function mediaConfig(e: z.infer<typeof coreSchema>): MediaConfig {
  return e.MEDIA_S3_BUCKET
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
}

/** The app's variables and every feature's, as one schema; two slices may not claim one variable. */
function composedSchema(slices: SettingsSlice[]): z.ZodObject {
  let schema: z.ZodObject = coreSchema;
  for (const slice of slices) {
    const taken = Object.keys(slice.env.shape).filter((name) => name in schema.shape);
    if (taken.length > 0) throw new Error(`settings ${slice.key} declare ${taken.join(', ')}, which another part of the app already reads`);
    schema = schema.extend(slice.env.shape);
  }
  return schema;
}
