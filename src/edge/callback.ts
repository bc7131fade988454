import type Router from 'koa-router';
import getRawBody from 'raw-body';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Metrics } from '../platform/metrics';
import { IncompleteMessage, readInboundXml } from './inbound';
import { CallbackRejected, checkFreshness, openEnvelope, verifySignature, type EnvelopeKeys } from './envelope';
import type { InboundIntake } from './intake';
import { MalformedXml, field, parseXml } from './xml';

/** WeCom's envelopes are a few KB; anything far larger is not from WeCom. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface CallbackOptions {
  keys: EnvelopeKeys;
  maxSkewSeconds: number;
  intake: InboundIntake;
  /** Called with the stored row's id after the ack, to start the handler. */
  onStored: (id: string, fromUser: string) => void;
  clock: Clock;
  metrics: Metrics;
}

/**
 * /wecom/callback. GET answers WeCom's URL check. POST verifies, decrypts, stores (deduplicated)
 * and acknowledges with an empty 200 — WeCom retries a callback it has no answer for within
 * ~5 s, so nothing slow happens before the ack; handlers run afterwards from the stored row.
 * Every refusal is a 4xx with a stable code, nothing stored, and one log line saying why.
 */
export function mountCallback(router: Router, opts: CallbackOptions): void {
  const { keys, metrics } = opts;

  router.get('/wecom/callback', (ctx) => {
    const log: Logger = ctx.state.log;
    try {
      const { msg_signature, timestamp, nonce, echostr } = queryParams(ctx.query, ['msg_signature', 'timestamp', 'nonce', 'echostr']);
      checkFreshness(timestamp, opts.maxSkewSeconds, opts.clock.now());
      verifySignature(keys, msg_signature, timestamp, nonce, echostr);
      ctx.type = 'text/plain';
      ctx.body = openEnvelope(keys, echostr);
      log.info('wecom URL verification answered');
    } catch (err) {
      reject(ctx, log, err, metrics);
    }
  });

  router.post('/wecom/callback', async (ctx) => {
    const log: Logger = ctx.state.log;
    let type = 'unknown';
    try {
      const { msg_signature, timestamp, nonce } = queryParams(ctx.query, ['msg_signature', 'timestamp', 'nonce']);
      const body = await readBody(ctx.req);
      let envelope;
      try {
        envelope = parseXml(body);
      } catch (err) {
        throw new CallbackRejected('malformed_xml', `envelope is not well-formed XML (${(err as Error).message})`);
      }
      const ciphertext = field(envelope, 'Encrypt');
      if (!ciphertext) throw new CallbackRejected('missing_encrypt', 'envelope has no <Encrypt> element');
      verifySignature(keys, msg_signature, timestamp, nonce, ciphertext);
      checkFreshness(timestamp, opts.maxSkewSeconds, opts.clock.now());
      const plaintext = openEnvelope(keys, ciphertext);
      let message;
      try {
        message = readInboundXml(parseXml(plaintext));
      } catch (err) {
        if (err instanceof MalformedXml || err instanceof IncompleteMessage) {
          throw new CallbackRejected('malformed_message', `decrypted message unreadable: ${err.message}`);
        }
        throw err;
      }
      type = message.event ? `event:${message.event}` : message.msgType;
      const stored = await opts.intake.accept(message);
      metrics.inbound.inc({ type, outcome: stored.inserted ? 'accepted' : 'duplicate' });
      // An empty 200 tells WeCom "received, reply comes later via message/send".
      ctx.status = 200;
      ctx.body = '';
      if (stored.inserted && stored.id) {
        log.debug({ inboundId: stored.id, type }, 'callback stored');
        setImmediate(() => opts.onStored(stored.id!, message.fromUser));
      } else {
        log.info({ dedupeKey: message.dedupeKey }, 'duplicate callback (WeCom retry) acknowledged and dropped');
      }
    } catch (err) {
      reject(ctx, log, err, metrics, type);
    }
  });
}

function queryParams<K extends string>(query: Record<string, unknown>, names: K[]): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = query[name];
    // Koa has already URL-decoded once; decoding again would turn '+' into ' ' in echostr.
    if (typeof value !== 'string' || value === '') throw new CallbackRejected('missing_query', `query parameter ${name} missing`);
    out[name] = value;
  }
  return out;
}

async function readBody(req: Parameters<typeof getRawBody>[0]): Promise<string> {
  try {
    return await getRawBody(req, { limit: MAX_BODY_BYTES, encoding: 'utf8' });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') {
      throw new CallbackRejected('body_too_large', `body over ${MAX_BODY_BYTES} bytes`);
    }
    // Aborted uploads, a wrong Content-Length, an unknown encoding: the caller's fault, said once.
    throw new CallbackRejected('unreadable_body', `request body unreadable (${(err as Error).message})`);
  }
}

function reject(ctx: { status: number; body: unknown }, log: Logger, err: unknown, metrics: Metrics, type = 'unknown'): void {
  if (!(err instanceof CallbackRejected)) throw err;
  metrics.inbound.inc({ type, outcome: err.code });
  log.warn({ code: err.code, status: err.status }, `callback rejected: ${err.detail}`);
  ctx.status = err.status;
  ctx.body = { error: err.code };
}
