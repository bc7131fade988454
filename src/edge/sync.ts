import crypto from 'node:crypto';
import type Router from 'koa-router';
import getRawBody from 'raw-body';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Logger } from '../log';
import type { SyncHandler } from '../bot/registry';

/** Master data for a chain runs to a few MB of JSON; past this it is not a sync document. */
export const MAX_SYNC_BYTES = 8 * 1024 * 1024;
/** A signed request older or newer than this is refused; its nonce is kept at least this long. */
export const SYNC_MAX_SKEW_SECONDS = 300;

export interface SyncOptions {
  keys: Record<string, string>;
  handlers: Map<string, SyncHandler>;
  db: Db;
  clock: Clock;
  config: Config;
}

/**
 * The string a source signs: timestamp, nonce, method, path and the body's SHA-256, one per
 * line. HMAC-SHA256 with the source's secret, hex — the same recipe POS and ERP vendors know.
 */
export function syncSigningString(timestamp: string, nonce: string, method: string, path: string, body: string): string {
  return [timestamp, nonce, method.toUpperCase(), path, crypto.createHash('sha256').update(body).digest('hex')].join('\n');
}

export function signSync(secret: string, signingString: string): string {
  return crypto.createHmac('sha256', secret).update(signingString).digest('hex');
}

/**
 * POST /api/sync/<document>: POS, ERP and WMS push documents here. Every request is signed by
 * its source (X-Sync-Source, X-Sync-Timestamp, X-Sync-Nonce, X-Sync-Signature); a bad
 * signature, a stale timestamp or a replayed nonce is refused before the body is looked at.
 * Off (404) unless SYNC_KEYS names at least one source.
 */
export function mountSync(router: Router, opts: SyncOptions): void {
  if (Object.keys(opts.keys).length === 0) return;

  router.post('/api/sync/:document', async (ctx) => {
    const log: Logger = ctx.state.log;
    const refuse = (status: number, error: string, detail: string) => {
      log.warn({ status, error, source: ctx.get('x-sync-source') }, `sync request refused: ${detail}`);
      ctx.status = status;
      ctx.body = { error, detail };
    };
    const handler = opts.handlers.get(ctx.params.document);
    if (!handler) return refuse(404, 'unknown_document', `no sync document "${ctx.params.document}"; known: ${[...opts.handlers.keys()].join(', ')}`);

    const source = ctx.get('x-sync-source');
    const timestamp = ctx.get('x-sync-timestamp');
    const nonce = ctx.get('x-sync-nonce');
    const signature = ctx.get('x-sync-signature').toLowerCase();
    const secret = opts.keys[source];
    if (!secret) return refuse(401, 'unknown_source', 'X-Sync-Source is not one of SYNC_KEYS');
    if (!/^\d{1,12}$/.test(timestamp) || !/^[\w-]{8,64}$/.test(nonce) || !/^[0-9a-f]{64}$/.test(signature)) {
      return refuse(401, 'bad_headers', 'X-Sync-Timestamp (unix seconds), X-Sync-Nonce (8–64 of [A-Za-z0-9_-]) and X-Sync-Signature (hex HMAC-SHA256) are required');
    }
    const now = opts.clock.now();
    if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SYNC_MAX_SKEW_SECONDS) {
      return refuse(401, 'stale_timestamp', `X-Sync-Timestamp is more than ${SYNC_MAX_SKEW_SECONDS} s from our clock`);
    }
    let body: string;
    try {
      body = await getRawBody(ctx.req, { limit: MAX_SYNC_BYTES, encoding: 'utf8' });
    } catch (err) {
      if ((err as { type?: string }).type === 'entity.too.large') return refuse(413, 'body_too_large', `body over ${MAX_SYNC_BYTES} bytes`);
      return refuse(400, 'unreadable_body', (err as Error).message);
    }
    const expected = signSync(secret, syncSigningString(timestamp, nonce, ctx.method, ctx.path, body));
    if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
      return refuse(401, 'signature_mismatch', 'X-Sync-Signature does not match — check the secret and the signing string (see README)');
    }
    // The nonce's primary key makes a replay within the window fail, on any replica.
    const fresh = await opts.db.$executeRaw`
      INSERT INTO sync_nonce (source, nonce, received_at) VALUES (${source}, ${nonce}, ${now}) ON CONFLICT DO NOTHING`;
    if (fresh !== 1) return refuse(409, 'replayed', 'this X-Sync-Nonce was already used');

    const outcome = await handler({ source, body, db: opts.db, clock: opts.clock, config: opts.config, log: log.child({ syncSource: source, document: ctx.params.document }) });
    if (!outcome.accepted) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_document', problems: outcome.problems };
      return;
    }
    ctx.body = outcome.result;
  });
}
