import crypto from 'node:crypto';
import { createApp, type App, type AppOptions } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db';
import type { Clock } from '../../src/clock';
import { createLogger } from '../../src/log';
import type { Feature } from '../../src/bot/registry';
import { FakeWecom } from '../../src/sandbox/fake-wecom';
import { openTestDatabase } from './database';
import { randomKeys, seal } from './wecom-callback';

export interface Harness {
  app: App;
  url: string;
  fake: FakeWecom;
  keys: ReturnType<typeof randomKeys>;
  database: Database;
  /** POSTs `plaintext` to /wecom/callback encrypted and signed like WeCom. */
  deliver(plaintext: string, opts?: { timestamp?: string; nonce?: string }): Promise<Response>;
  post(query: Record<string, string>, body: string): Promise<Response>;
  get(query: Record<string, string>): Promise<Response>;
  /** Runs the handlers and the outbox until both are idle. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  features?: Feature[];
  clock?: Clock;
  /** Share a database between harnesses (replicas); the first one to open it owns it. */
  database?: Database;
  fake?: FakeWecom;
  env?: Record<string, string>;
  /** Mounted beside the edge, as main.ts mounts the sandbox and the console. */
  middleware?: AppOptions['extraMiddleware'];
  /** false: HTTP only, no processor/sender/scheduler (a process that dies right after the ack). */
  workers?: boolean;
  /** Keep the scheduler firing on the wall clock (off by default: tests run jobs with runJob). */
  cron?: boolean;
}

/** A whole bot on loopback against a fake WeCom server, on a database of its own. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const keys = randomKeys();
  const secret = crypto.randomBytes(16).toString('hex');
  const fake = opts.fake ?? new FakeWecom({ corpId: keys.corpId, secret, agentId: 1000002, clock: opts.clock });
  const fakeServer = await fake.listen();
  const ownDatabase = !opts.database;
  const database = opts.database ?? (await openTestDatabase());
  const config = loadConfig({
    WECOM_CORP_ID: fake.opts.corpId,
    WECOM_AGENT_ID: String(fake.opts.agentId),
    WECOM_SECRET: fake.opts.secret,
    WECOM_TOKEN: keys.token,
    WECOM_ENCODING_AES_KEY: keys.encodingAesKey,
    WECOM_API_BASE: fakeServer.url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...opts.env,
  });
  const harnessKeys = { ...keys, corpId: fake.opts.corpId };
  const app = await createApp({ config, database, features: opts.features ?? [], clock: opts.clock, extraMiddleware: opts.middleware, log: createLogger(config.logLevel) });
  const workers = opts.workers ?? true;
  let port: number;
  if (workers) {
    port = await app.start(0);
    // Tests run jobs with scheduler.runJob at the moments they choose; a wall-clock cron tick
    // (the 10-minute stock sweeps, say) landing mid-test would run one at a random moment.
    if (!opts.cron) await app.scheduler.stop();
  } else {
    await new Promise<void>((resolve) => app.server.listen(0, resolve));
    port = (app.server.address() as { port: number }).port;
  }
  const url = `http://127.0.0.1:${port}`;
  const post = (query: Record<string, string>, body: string) => fetch(`${url}/wecom/callback?${new URLSearchParams(query)}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
  return {
    app,
    url,
    fake,
    keys: harnessKeys,
    database,
    post,
    get: (query) => fetch(`${url}/wecom/callback?${new URLSearchParams(query)}`),
    deliver: (plaintext, sealOpts) => {
      const envelope = seal(harnessKeys, plaintext, sealOpts);
      return post(envelope.query, envelope.body);
    },
    async settle() {
      await app.intake.drain();
      await new Promise((r) => setImmediate(r));
      await app.processor.whenIdle();
      // What the sweep would pick up a few seconds later (tests often freeze the clock): any
      // stored row still due and unclaimed is handed over now, so settle never returns early.
      for (;;) {
        const due = await app.db.inboundMessage.findMany({
          where: { status: 'received', OR: [{ lockedUntil: null }, { lockedUntil: { lt: (opts.clock ?? { now: () => new Date() }).now() } }] },
          select: { id: true },
          orderBy: { id: 'asc' },
        });
        if (due.length === 0 || !workers) break;
        for (const row of due) app.processor.submit(String(row.id));
        await app.processor.whenIdle();
        const still = await app.db.inboundMessage.count({ where: { id: { in: due.map((r) => r.id) }, status: 'received' } });
        if (still === due.length) break; // held back on purpose (an earlier message of the same sender)
      }
      // The background sender may hold rows it claimed; wait until none is mid-send and nothing is due.
      for (;;) {
        await app.sender.whenIdle();
        const attempted = await app.sender.drainOnce();
        const inFlight = await app.db.outboxMessage.count({ where: { status: 'sending' } });
        if (attempted === 0 && inFlight === 0) break;
        if (attempted === 0) await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      if (workers) await app.stop({ keepDatabase: true });
      else await new Promise<void>((resolve) => app.server.close(() => resolve()));
      await fakeServer.close();
      if (ownDatabase) await database.close();
    },
  };
}

/** Polls until `check` returns a truthy value (for work that happens after the ack). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
