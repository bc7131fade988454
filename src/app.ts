import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
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
  for (const feature of opts.features) feature.register(bot);

  const wecom = new WecomClient({ ...config.wecom, db, clock, log: log.child({ component: 'wecom' }) });
  const sender = new OutboxSender({ db, wecom, clock, metrics, log: log.child({ component: 'outbox' }), duplicateCheckSeconds: config.wecom.duplicateCheckSeconds });
  const onEnqueued = () => sender.wake();
  // PGlite is one connection: more concurrent batches would only queue behind each other.
  const intake = new InboundIntake(db, clock, { maxBatch: 500, maxConcurrentBatches: config.database.kind === 'pglite' ? 1 : 2 });
  const processor = new InboundProcessor({ db, bot, wecom, clock, config, metrics, log: log.child({ component: 'bot' }), onEnqueued, yieldTo: () => intake.busy });
  const scheduler = new Scheduler({ db, clock, config, metrics, wecom, log: log.child({ component: 'cron' }), onEnqueued });

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
      onStored: (id, fromUser) => processor.submit(id, fromUser),
      clock,
    },
    sync: { keys: config.syncKeys, handlers: bot.syncHandlers, db, clock, config },
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
      await listen(server, port, host);
      processor.start();
      sender.start();
      scheduler.start(bot.jobs);
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

/** A port already taken, or one this user may not bind, as the one line that names PORT. */
export class PortError extends Error {
  constructor(port: number, code: string | undefined) {
    super(
      code === 'EADDRINUSE'
        ? `config: PORT ${port} is in use by another program: stop it, or set PORT to a free port`
        : code === 'EACCES'
          ? `config: PORT ${port} needs privileges this user does not have: set PORT to 1024 or above`
          : `config: PORT ${port} cannot be listened on (${code ?? 'unknown error'}): set PORT to a free port`,
    );
    this.name = 'PortError';
  }
}

function listen(server: net.Server, port: number, host?: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(new PortError(port, err.code));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Fails with a PortError when `port` cannot be bound, before start-up spends time migrating and
 * seeding a database for a server that could never listen.
 */
export async function ensurePortFree(port: number, host?: string): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  await listen(probe, port, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
