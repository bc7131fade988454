import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Config } from './config';
import { openDatabase, type Database, type Db } from './db';
import { describeTarget } from './db/target';
import { systemClock, type Clock } from './clock';
import { createLogger, type Logger } from './log';
import { BotRegistry, type Feature } from './bot/registry';
import { InboundProcessor } from './bot/processor';
import { createEdge } from './edge/app';
import { InboundIntake } from './edge/intake';
import { createMetrics, type Metrics } from './platform/metrics';
import { OutboxSender } from './platform/sender';
import { Scheduler } from './platform/scheduler';
import { WecomClient } from './platform/wecom-client';

export interface AppOptions {
  config: Config;
  features: Feature[];
  log?: Logger;
  clock?: Clock;
  /** An already open database (tests; replicas sharing one PGlite). Otherwise opened from config. */
  database?: Database;
  /** Mounted before the edge's routes: the sandbox, the console. A function gets the app's parts. */
  extraMiddleware?: Koa.Middleware[] | ((parts: AppParts) => Koa.Middleware[]);
}

/** What middleware mounted beside the edge may use. */
export interface AppParts {
  config: Config;
  db: Db;
  bot: BotRegistry;
  wecom: WecomClient;
  clock: Clock;
  log: Logger;
}

export interface App {
  config: Config;
  db: Db;
  database: Database;
  bot: BotRegistry;
  wecom: WecomClient;
  intake: InboundIntake;
  processor: InboundProcessor;
  sender: OutboxSender;
  scheduler: Scheduler;
  metrics: Metrics;
  log: Logger;
  server: http.Server;
  /** Starts the workers (processor, sender, scheduler) and listens; resolves with the port. */
  start(port?: number, host?: string): Promise<number>;
  /** Graceful shutdown: stop taking callbacks, finish what is in flight, close the database. */
  stop(opts?: { keepDatabase?: boolean }): Promise<void>;
}

/** Wiring: config → database → platform → features → edge. */
export async function createApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const database = opts.database ?? (await openDatabase(config.database));
  const db = database.prisma;
  const metrics = createMetrics();

  const bot = new BotRegistry(config);
  for (const feature of opts.features) feature(bot);

  const wecom = new WecomClient({ ...config.wecom, db, clock, log: log.child({ component: 'wecom' }) });
  const sender = new OutboxSender({ db, wecom, clock, metrics, log: log.child({ component: 'outbox' }), duplicateCheckSeconds: config.wecom.duplicateCheckSeconds });
  const onEnqueued = () => sender.wake();
  const processor = new InboundProcessor({ db, bot, wecom, clock, metrics, log: log.child({ component: 'bot' }), onEnqueued });
  const scheduler = new Scheduler({ db, clock, metrics, wecom, timezone: config.timezone, log: log.child({ component: 'cron' }), onEnqueued });
  // PGlite is one connection: more concurrent batches would only queue behind each other.
  const intake = new InboundIntake(db, clock, { maxBatch: 500, maxConcurrentBatches: config.database.kind === 'pglite' ? 1 : 2 });

  const koa = createEdge({
    db,
    metricsToken: config.metricsToken,
    log,
    metrics,
    extraMiddleware: typeof opts.extraMiddleware === 'function' ? opts.extraMiddleware({ config, db, bot, wecom, clock, log }) : opts.extraMiddleware,
    callback: {
      keys: { token: config.wecom.token, encodingAesKey: config.wecom.encodingAesKey, corpId: config.wecom.corpId },
      maxSkewSeconds: config.wecom.callbackMaxSkewSeconds,
      intake,
      onStored: (id) => processor.submit(id),
      clock,
    },
    sync: { keys: config.syncKeys, handlers: bot.syncHandlers, db, clock },
  });
  const server = http.createServer(koa.callback());
  // Keep-alive longer than a load balancer's idle timeout, so it never reuses a socket we closed.
  server.keepAliveTimeout = 65_000;

  return {
    config,
    db,
    database,
    bot,
    wecom,
    intake,
    processor,
    sender,
    scheduler,
    metrics,
    log,
    server,
    async start(port = config.port, host?: string) {
      processor.start();
      sender.start();
      scheduler.start(bot.jobs);
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      const bound = (server.address() as AddressInfo).port;
      log.info({ port: bound, database: describeTarget(config.database), timezone: config.timezone }, '门店助手 is listening');
      return bound;
    },
    async stop({ keepDatabase = false } = {}) {
      await new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await scheduler.stop();
      await intake.drain();
      await processor.stop();
      await sender.stop();
      if (!keepDatabase) await database.close();
      log.info('stopped');
    },
  };
}
