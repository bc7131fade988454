import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db';
import { MAX_BODY_BYTES } from '../../src/edge/callback';
import { openEnvelope, verifySignature, type EnvelopeKeys } from '../../src/edge/envelope';
import { field, parseXml } from '../../src/edge/xml';
import { FakeWecom } from '../../src/sandbox/fake-wecom';

/**
 * One server under benchmark, alone in a process forked by callback.ts, so every server starts
 * with a fresh heap and never shares an event loop with the load generator in the parent. The
 * parent asks it over IPC for its CPU time, its row counts and to stop.
 */

export type ServerSpec =
  | { mode: 'bare'; keys: EnvelopeKeys }
  /** databaseUrl goes through loadConfig like DATABASE_URL, so the app sizes its intake as in production. */
  | { mode: 'full'; keys: EnvelopeKeys; databaseUrl: string; workers: boolean };

export type Query = 'cpu' | 'rows' | 'stop';

export interface Rows {
  stored: number;
  /** Rows the processor has finished: it runs after the ack, so it may lag behind. */
  handled: number;
}

interface Running {
  port: number;
  rows(): Promise<Rows | null>;
  stop(): Promise<void>;
}

/** The least a WeCom callback needs: verify, decrypt, read the message, answer. */
async function startBare(keys: EnvelopeKeys): Promise<Running> {
  const koa = new Koa();
  koa.use(async (ctx) => {
    const { msg_signature, timestamp, nonce } = ctx.query as Record<string, string>;
    const body = await getRawBody(ctx.req, { limit: MAX_BODY_BYTES, encoding: 'utf8' });
    const ciphertext = field(parseXml(body), 'Encrypt') ?? '';
    verifySignature(keys, msg_signature, timestamp, nonce, ciphertext);
    parseXml(openEnvelope(keys, ciphertext));
    ctx.body = 'success';
  });
  const server = http.createServer(koa.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    rows: async () => null,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The whole app against a fake WeCom. With workers, as in production: the processor claims and
 * finishes every stored row on the same database. Without, only the callback path runs (the
 * harness's `workers: false`).
 */
async function startFull({ keys, databaseUrl, workers }: Extract<ServerSpec, { mode: 'full' }>): Promise<Running> {
  const fake = new FakeWecom({ corpId: keys.corpId, secret: crypto.randomBytes(16).toString('hex'), agentId: 1000002 });
  const fakeServer = await fake.listen();
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    WECOM_CORP_ID: keys.corpId,
    WECOM_AGENT_ID: String(fake.opts.agentId),
    WECOM_SECRET: fake.opts.secret,
    WECOM_TOKEN: keys.token,
    WECOM_ENCODING_AES_KEY: keys.encodingAesKey,
    WECOM_API_BASE: fakeServer.url,
    LOG_LEVEL: 'silent',
  });
  const database = await openDatabase(config.database);
  await database.migrate();
  const app = await createApp({ config, database, features: [] });
  if (workers) await app.start(0);
  else await new Promise<void>((resolve) => app.server.listen(0, resolve));
  return {
    port: (app.server.address() as AddressInfo).port,
    async rows() {
      const [row] = await database.prisma.$queryRaw<{ stored: number; handled: number }[]>`
        SELECT count(*)::int AS stored, (count(*) FILTER (WHERE status = 'done'))::int AS handled FROM inbound_message`;
      return row;
    },
    async stop() {
      // stop() closes the server and drains the intake whether or not the workers ran.
      await app.stop();
      await fakeServer.close();
    },
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as ServerSpec;
  const running = spec.mode === 'bare' ? await startBare(spec.keys) : await startFull(spec);
  process.send!({ port: running.port });
  // The parent is gone (killed mid-run): nobody will ever ask us to stop.
  process.once('disconnect', () => process.exit(1));
  process.on('message', (query: Query) => {
    const answer = async () => {
      if (query === 'cpu') return process.cpuUsage();
      if (query === 'rows') return running.rows();
      await running.stop();
      return null;
    };
    answer().then(
      (value) =>
        process.send!({ value }, () => {
          if (query === 'stop') process.exit(0);
        }),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
