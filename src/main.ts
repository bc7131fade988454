import 'dotenv/config';
import { ConfigError, loadConfig, type Config } from './config';
import { createApp, type App } from './app';
import { openDatabase, type Database } from './db';
import { createLogger, type Logger } from './log';
import { helpFeature } from './features/help';
import { housekeepingFeature } from './platform/housekeeping';
import type { Feature } from './bot/registry';
import { FakeWecom } from './sandbox/fake-wecom';
import { sandboxMiddleware } from './sandbox';
import { sandboxTourFeature } from './sandbox/tour';

/** Every feature of the bot. Order matters only for overlapping text patterns: first wins. */
export const FEATURES: Feature[] = [housekeepingFeature, helpFeature];

export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.problems) console.error(line);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * Opens the database, applies migrations and starts the bot — in sandbox mode also the fake
 * WeCom and the /sandbox page, with the app menu created through the fake API.
 */
export async function startBot(config: Config, opts: { database?: Database; log?: Logger } = {}): Promise<{ app: App; port: number; fake: FakeWecom | null }> {
  const log = opts.log ?? createLogger(config.logLevel);
  const database = opts.database ?? (await openDatabase(config.database));
  const applied = await database.migrate();
  if (applied.length) log.info({ applied }, 'database migrations applied');

  const fake = config.sandbox ? new FakeWecom({ corpId: config.wecom.corpId, secret: config.wecom.secret, agentId: config.wecom.agentId }) : null;
  const app = await createApp({
    config,
    log,
    database,
    features: fake ? [...FEATURES, sandboxTourFeature] : FEATURES,
    extraMiddleware: fake
      ? sandboxMiddleware({ fake, wecom: config.wecom, callbackUrl: () => `http://127.0.0.1:${config.port}/wecom/callback`, log: log.child({ component: 'sandbox' }) })
      : [],
  });
  const port = await app.start(config.port, config.sandbox?.host);
  if (config.sandbox) {
    await app.wecom.createMenu({ button: app.bot.menu });
    const host = config.sandbox.host === '0.0.0.0' ? 'localhost' : config.sandbox.host;
    log.warn(`sandbox mode (no WECOM_* variables): open http://${host}:${port}/sandbox`);
  }
  return { app, port, fake };
}

async function main() {
  const { app } = await startBot(configOrExit());
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight work');
    app.stop().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
