import crypto from 'node:crypto';
import Koa from 'koa';
import Router from 'koa-router';
import type { Db } from '../db';
import type { Logger } from '../log';
import type { Metrics } from '../platform/metrics';
import { mountCallback, type CallbackOptions } from './callback';
import { mountSync, type SyncOptions } from './sync';

export interface EdgeOptions {
  db: Db;
  metricsToken: string | null;
  log: Logger;
  metrics: Metrics;
  callback: Omit<CallbackOptions, 'metrics'>;
  sync: SyncOptions;
  /** Extra middleware mounted before the edge's routes (the sandbox, later the console). */
  extraMiddleware?: Koa.Middleware[];
}

/** The HTTP edge: the WeCom callback, health, readiness and metrics. It knows nothing of features. */
export function createEdge(opts: EdgeOptions): Koa {
  const app = new Koa({ proxy: true });
  const router = new Router();

  app.use(async (ctx, next) => {
    // A caller's request id is kept only if it looks like one: it goes into every log line.
    const given = ctx.get('x-request-id');
    const requestId = /^[\w.-]{1,64}$/.test(given) ? given : crypto.randomUUID();
    ctx.set('x-request-id', requestId);
    ctx.state.log = opts.log.child({ requestId });
    await next();
  });

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await opts.db.$queryRaw`SELECT 1`;
      ctx.body = { status: 'ready' };
    } catch (err) {
      ctx.state.log.warn({ err }, 'readiness check: database unreachable');
      ctx.status = 503;
      ctx.body = { status: 'database unreachable' };
    }
  });
  router.get('/metrics', async (ctx) => {
    if (opts.metricsToken && !safeEqual(ctx.get('authorization'), `Bearer ${opts.metricsToken}`)) {
      ctx.status = 401;
      ctx.body = { error: 'metrics_token_required' };
      return;
    }
    await refreshOutboxDepth(opts.db, opts.metrics);
    ctx.type = opts.metrics.registry.contentType;
    ctx.body = await opts.metrics.registry.metrics();
  });

  mountCallback(router, { ...opts.callback, metrics: opts.metrics });
  mountSync(router, opts.sync);
  for (const middleware of opts.extraMiddleware ?? []) app.use(middleware);
  app.use(router.routes()).use(router.allowedMethods());

  // The edge's one error listener: whatever escaped a route is a bug or an outage, logged once.
  app.silent = true;
  app.on('error', (err: Error & { status?: number; expose?: boolean }, ctx?: Koa.Context) => {
    const log: Logger = ctx?.state.log ?? opts.log;
    if ((err.status ?? 500) >= 500) log.error({ err, path: ctx?.path }, 'request failed');
  });
  return app;
}

async function refreshOutboxDepth(db: Db, metrics: Metrics): Promise<void> {
  const rows = await db.outboxMessage.groupBy({ by: ['status'], where: { status: { in: ['pending', 'sending', 'dead'] } }, _count: true });
  metrics.outboxDepth.reset();
  for (const status of ['pending', 'sending', 'dead']) {
    metrics.outboxDepth.set({ status }, rows.find((r) => r.status === status)?._count ?? 0);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}
