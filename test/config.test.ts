import { ConfigError, loadConfig } from '../src/config';
import { z } from 'zod';
import { FEATURES } from '../src/features';
import { settingsSlice } from '../src/settings';

const good = {
  WECOM_CORP_ID: 'ww1436e0e65a779aee',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 's3cret',
  WECOM_TOKEN: 'tok',
  WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

it('applies the defaults', () => {
  const config = loadConfig(good);
  expect(config).toMatchObject({ port: 3000, timezone: 'Asia/Shanghai', logLevel: 'info', openai: null });
  expect(config.database).toMatchObject({ kind: 'pglite' });
  expect(config.wecom).toMatchObject({ apiBase: 'https://qyapi.weixin.qq.com', agentId: 1000002, callbackMaxSkewSeconds: 300 });
});

it('chooses the database from DATABASE_URL', () => {
  expect(loadConfig({ ...good, DATABASE_URL: 'postgresql://u@db:5432/app' }).database).toEqual({ kind: 'postgres', url: 'postgresql://u@db:5432/app' });
  expect(loadConfig({ ...good, DATABASE_URL: 'pglite:./var/db' }).database).toMatchObject({ kind: 'pglite', dataDir: expect.stringMatching(/var\/db$/) });
  expect(loadConfig({ ...good, DATABASE_URL: 'pglite:memory' }).database).toEqual({ kind: 'pglite', dataDir: null });
});

it('names each bad variable on a line of its own', () => {
  const lines = problems({ ...good, PORT: 'eighty', WECOM_ENCODING_AES_KEY: 'tooshort', WECOM_SECRET: '', APP_TIMEZONE: 'Mars/Base', DATABASE_URL: 'mysql://x' });
  expect(lines).toEqual([
    expect.stringMatching(/^config: PORT /),
    expect.stringMatching(/^config: WECOM_ENCODING_AES_KEY must be the 43-character EncodingAESKey/),
    expect.stringMatching(/^config: APP_TIMEZONE must be an IANA time zone/),
    expect.stringMatching(/^config: DATABASE_URL must be postgresql/),
    expect.stringMatching(/^config: WECOM_SECRET is required/),
  ]);
});

it('starts in sandbox mode with no WeCom variables, outside production', () => {
  const config = loadConfig({ PORT: '4000' });
  expect(config.sandbox).toEqual({ host: '127.0.0.1', selfUrl: 'http://127.0.0.1:4000' });
  expect(loadConfig({ PORT: '4000', SANDBOX_HOST: '192.168.1.20' }).wecom.apiBase).toBe('http://192.168.1.20:4000/sandbox/wecom');
  expect(loadConfig({ PORT: '4000', SANDBOX_HOST: '0.0.0.0' }).wecom.apiBase).toBe('http://127.0.0.1:4000/sandbox/wecom');
  expect(config.wecom.apiBase).toBe('http://127.0.0.1:4000/sandbox/wecom');
  expect(loadConfig(good).sandbox).toBeNull();
});

it('names the missing WeCom variables when some are set', () => {
  expect(problems({ WECOM_CORP_ID: 'ww1', WECOM_SECRET: 's' })).toEqual([
    expect.stringMatching(/^config: WECOM_AGENT_ID is required/),
    expect.stringMatching(/^config: WECOM_TOKEN is required/),
    expect.stringMatching(/^config: WECOM_ENCODING_AES_KEY is required/),
  ]);
});

it('never runs the sandbox on PostgreSQL (it seeds and can wipe tables), and says so in one line', () => {
  expect(problems({ DATABASE_URL: 'postgresql://u@db/app' })).toEqual([expect.stringMatching(/^config: the sandbox .* runs on the embedded database only: unset DATABASE_URL/)]);
});

it('names a DATABASE_URL that is not a URL, without echoing its password', () => {
  const lines = problems({ ...good, DATABASE_URL: 'postgresql://u:hunter2@[bad/x' });
  expect(lines).toEqual([expect.stringMatching(/^config: DATABASE_URL is not a valid URL/)]);
  expect(lines[0]).not.toContain('hunter2');
});

it('never runs the sandbox in production: every missing WeCom variable is named', () => {
  expect(problems({ NODE_ENV: 'production' })).toEqual([
    expect.stringMatching(/^config: WECOM_CORP_ID is required/),
    expect.stringMatching(/^config: WECOM_AGENT_ID is required/),
    expect.stringMatching(/^config: WECOM_SECRET is required/),
    expect.stringMatching(/^config: WECOM_TOKEN is required/),
    expect.stringMatching(/^config: WECOM_ENCODING_AES_KEY is required/),
  ]);
});

it('needs a model name with an OpenAI key', () => {
  expect(problems({ ...good, OPENAI_API_KEY: 'sk-x' })).toEqual(['config: OPENAI_MODEL is required when OPENAI_API_KEY is set']);
  expect(loadConfig({ ...good, OPENAI_API_KEY: 'sk-x', OPENAI_MODEL: 'qwen-plus' }).openai).toEqual({ apiKey: 'sk-x', model: 'qwen-plus', baseUrl: undefined });
});

it('reads the count tolerance, chain-wide and per SKU category, and names what is wrong with it', () => {
  expect(loadConfig(good).stockChecks.countTolerance).toEqual({ share: 0.02, byCategory: {} });
  expect(loadConfig({ ...good, COUNT_TOLERANCE_PERCENT: '1.5', COUNT_TOLERANCE_BY_CATEGORY: '{"乳品":1,"干货":5}' }).stockChecks.countTolerance).toEqual({
    share: 0.015,
    byCategory: { 乳品: 0.01, 干货: 0.05 },
  });
  expect(problems({ ...good, COUNT_TOLERANCE_PERCENT: '150' })).toEqual(['config: COUNT_TOLERANCE_PERCENT must be a percentage from 0 to 100']);
  expect(problems({ ...good, COUNT_TOLERANCE_BY_CATEGORY: '{"乳品":"1%"}' })[0]).toMatch(/^config: COUNT_TOLERANCE_BY_CATEGORY /);
  expect(problems({ ...good, COUNT_TOLERANCE_BY_CATEGORY: 'oops' })).toEqual(['config: COUNT_TOLERANCE_BY_CATEGORY must be JSON']);
});

it('lets 撤销 take a move back for 10 minutes by default', () => {
  expect(loadConfig(good).stockChecks.undoMinutes).toBe(10);
  expect(loadConfig({ ...good, STOCK_UNDO_MINUTES: '15' }).stockChecks.undoMinutes).toBe(15);
  expect(problems({ ...good, STOCK_UNDO_MINUTES: '0' })[0]).toMatch(/^config: STOCK_UNDO_MINUTES /);
});

it('reminds of unconfirmed stock entries after 30 minutes by default, on ladders of their own', () => {
  const config = loadConfig(good);
  expect(config.stockChecks.confirmRemindMinutes).toBe(30);
  expect(loadConfig({ ...good, STOCK_CONFIRM_REMIND_MINUTES: '10' }).stockChecks.confirmRemindMinutes).toBe(10);
  expect(config.tasks.ladders['stock.lossHold']).toMatchObject({
    steps: [
      { afterMinutes: 0, notify: 'assignee' },
      { afterMinutes: 60, notify: 'store_manager' },
    ],
    expireAfterMinutes: 720,
  });
  expect(config.tasks.ladders['stock.modelReading']).toMatchObject({ steps: [{ afterMinutes: 0, notify: 'assignee' }], expireAfterMinutes: 60 });
  expect(problems({ ...good, STOCK_CONFIRM_REMIND_MINUTES: '0' })[0]).toMatch(/^config: STOCK_CONFIRM_REMIND_MINUTES /);
});

it('reads task ladders and quiet hours, and names what is wrong with them', () => {
  const ladders = JSON.stringify({
    default: {
      steps: [
        { afterMinutes: 0, notify: 'assignee' },
        { afterMinutes: 15, notify: 'store_manager' },
      ],
    },
    safety: { steps: [{ afterMinutes: 0, notify: 'store_manager' }], quietHours: false },
  });
  const config = loadConfig({ ...good, TASK_LADDERS: ladders, TASK_QUIET_HOURS: '23:00-07:30' });
  expect(config.tasks.ladders.safety).toEqual({ steps: [{ afterMinutes: 0, notify: 'store_manager' }], quietHours: false });
  expect(config.tasks.quietHours).toEqual({ start: 23 * 60, end: 7 * 60 + 30 });
  expect(loadConfig({ ...good, TASK_QUIET_HOURS: 'off' }).tasks.quietHours).toBeNull();
  expect(loadConfig(good).tasks.ladders.default.steps.map((s) => s.notify)).toEqual(['assignee', 'store_manager', 'area_manager']);
  expect(problems({ ...good, TASK_LADDERS: '{oops' })).toEqual(['config: TASK_LADDERS must be JSON']);
  expect(problems({ ...good, TASK_LADDERS: JSON.stringify({ urgent: { steps: [{ afterMinutes: 0, notify: 'assignee' }] } }) })).toEqual(['config: TASK_LADDERS needs a ladder named "default"']);
  expect(problems({ ...good, TASK_LADDERS: JSON.stringify({ default: { steps: [{ afterMinutes: 30, notify: 'boss' }] } }) })[0]).toMatch(/^config: TASK_LADDERS /);
  expect(problems({ ...good, TASK_QUIET_HOURS: '22-8' })).toEqual(['config: TASK_QUIET_HOURS must be HH:MM-HH:MM in the chain time zone (22:00-08:00), or off']);
});

it("reads the members' quiet hours in the same HH:MM-HH:MM form as the tasks'", () => {
  expect(loadConfig(good).tasks.quietHours).toEqual({ start: 22 * 60, end: 8 * 60 });
  expect(loadConfig(good).members.quietHours).toEqual({ start: 21 * 60, end: 9 * 60 });
  expect(loadConfig({ ...good, MEMBERS_QUIET_HOURS: '20:30-09:15' }).members.quietHours).toEqual({ start: 20 * 60 + 30, end: 9 * 60 + 15 });
  expect(loadConfig({ ...good, MEMBERS_QUIET_HOURS: '12:00-13:00' }).members.quietHours).toEqual({ start: 12 * 60, end: 13 * 60 });
  expect(loadConfig({ ...good, MEMBERS_QUIET_HOURS: 'off' }).members.quietHours).toBeNull();
  expect(problems({ ...good, MEMBERS_QUIET_HOURS: '21-9' })).toEqual(['config: MEMBERS_QUIET_HOURS must be HH:MM-HH:MM in the chain time zone (21:00-09:00), or off']);
  expect(problems({ ...good, MEMBERS_QUIET_HOURS: '21:00-24:00' })).toEqual(['config: MEMBERS_QUIET_HOURS must be HH:MM-HH:MM in the chain time zone (21:00-09:00), or off']);
});

it("composes each feature's settings: one run names the bad variables of the app and of every feature", () => {
  expect(problems({ ...good, PORT: 'eighty', STOCK_UNDO_MINUTES: '0', MEMBERS_WEEKLY_MESSAGES: 'two', HANDOVER_NEW_STAFF_DAYS: '-1' })).toEqual([
    expect.stringMatching(/^config: PORT /),
    expect.stringMatching(/^config: STOCK_UNDO_MINUTES /),
    expect.stringMatching(/^config: HANDOVER_NEW_STAFF_DAYS /),
    expect.stringMatching(/^config: MEMBERS_WEEKLY_MESSAGES /),
  ]);
});

it("builds a feature's settings from its own slice, and its ladders join the task engine's", () => {
  const tips = {
    name: 'tips',
    settings: settingsSlice({ key: 'tips' as never, env: z.object({ TIPS_PER_DAY: z.coerce.number().int().min(1).default(3) }), build: (e) => ({ perDay: e.TIPS_PER_DAY }) as never }),
    ladders: { 'tips.unread': { steps: [{ afterMinutes: 0, notify: 'assignee' as const }], quietHours: true } },
    register: () => undefined,
  };
  const config = loadConfig({ ...good, TIPS_PER_DAY: '5' }, [...FEATURES, tips]) as unknown as Record<string, unknown> & ReturnType<typeof loadConfig>;
  expect(config.tips).toEqual({ perDay: 5 });
  expect(config.tasks.ladders['tips.unread']).toEqual(tips.ladders['tips.unread']);
  expect(() => loadConfig({ ...good, TIPS_PER_DAY: '0' }, [...FEATURES, tips])).toThrow(/TIPS_PER_DAY/);
  const twice = { ...tips, name: 'twice', settings: settingsSlice({ key: 'twice' as never, env: z.object({ STOCK_UNDO_MINUTES: z.string() }), build: () => null as never }) };
  expect(() => loadConfig(good, [...FEATURES, twice])).toThrow(/STOCK_UNDO_MINUTES, which another part of the app already reads/);
});
