import 'dotenv/config';
import { ConfigError, loadConfig, type Config } from './config';
import { createApp, ensurePortFree, PortError, type App } from './app';
import { openDatabase, type Database } from './db';
import { explainDatabaseError } from './db/errors';
import { createLogger, type Logger } from './log';
import { FEATURES } from './features';
import { housekeepingFeature } from './platform/housekeeping';
import type { Feature } from './bot/registry';
import { FakeWecom } from './sandbox/fake-wecom';
import { sandboxMiddleware } from './sandbox';
import { openSandboxChat } from './sandbox/chat-history';
import { sandboxTourFeature } from './sandbox/tour';
import { seedDemoData } from './sandbox/demo';
import { demoContacts } from './features/members/demo';
import { consoleMenuFeature, consoleMiddleware } from './console';

/** The bot: the platform's housekeeping, every feature, and the console's menu button. */
export const BOT_FEATURES: Feature[] = [housekeepingFeature, ...FEATURES, consoleMenuFeature];

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
export async function startBot(config: Config, opts: { database?: Database; log?: Logger; resetSandbox?: boolean } = {}): Promise<{ app: App; port: number; fake: FakeWecom | null }> {
  const log = opts.log ?? createLogger(config.logLevel);
  if (opts.resetSandbox && !config.sandbox) throw new Error('--reset wipes the sandbox demo data and works only in sandbox mode (no WECOM_* variables)');
  await ensurePortFree(config.port, config.sandbox?.host);
  const database = await openMigrated(config, log, opts.database);
  if (config.sandbox) {
    const seeded = await seedDemoData(database.prisma, { reset: opts.resetSandbox ?? false, now: new Date(), config });
    log.info({ seeded, reset: opts.resetSandbox ?? false }, 'sandbox demo data');
  }

  const fake = config.sandbox ? new FakeWecom({ corpId: config.wecom.corpId, secret: config.wecom.secret, agentId: config.wecom.agentId }) : null;
  // The fake keeps customer contacts in memory: tell it again, on every start, who the demo members' owners are.
  if (fake) for (const contact of await demoContacts(database.prisma)) fake.addExternalContact(contact);
  // Its chat, though, is kept in the database: rebuilt here, so a restart shows the history again.
  const chat = fake ? await openSandboxChat(database.prisma, fake) : null;
  const app = await createApp({
    config,
    log,
    database,
    features: fake ? [...BOT_FEATURES, sandboxTourFeature] : BOT_FEATURES,
    extraMiddleware: (parts) => [
      ...consoleMiddleware({ ...parts, log: log.child({ component: 'console' }) }),
      ...(fake && chat
        ? sandboxMiddleware({ db: database.prisma, fake, chat, wecom: config.wecom, callbackUrl: () => `${config.sandbox!.selfUrl}/wecom/callback`, log: log.child({ component: 'sandbox' }) })
        : []),
    ],
  });
  const port = await app.start(config.port, config.sandbox?.host);
  if (config.sandbox) {
    await app.wecom.createMenu({ button: app.bot.menu });
    const host = config.sandbox.host === '0.0.0.0' ? 'localhost' : config.sandbox.host;
    log.warn(`sandbox mode (no WECOM_* variables): open http://${host}:${port}/sandbox`);
  }
  return { app, port, fake };
}

/**
 * Opens (unless given) and migrates the database. One that cannot be reached is a setting to fix,
 * a ConfigError of one line; any other error stays as it is.
 */
async function openMigrated(config: Config, log: Logger, given?: Database): Promise<Database> {
  let database = given;
  try {
    database ??= await openDatabase(config.database);
    const applied = await database.migrate();
    if (applied.length) log.info({ applied }, 'database migrations applied');
    return database;
  } catch (err) {
    if (!given) await database?.close().catch(() => undefined);
    const explained = explainDatabaseError(err, config.database);
    throw explained ? new ConfigError([explained]) : err;
  }
}

async function main() {
  const { app } = await startBot(configOrExit(), { resetSandbox: process.argv.includes('--reset') });
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
    // A setting to fix is one line; anything else is a bug and keeps its stack.
    console.error(err instanceof ConfigError ? err.problems.join('\n') : err instanceof PortError ? err.message : err);
    process.exit(1);
  });
}
