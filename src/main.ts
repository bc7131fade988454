import 'dotenv/config';
import { ConfigError, loadConfig, type Config } from './config';
import { createApp } from './app';
import { openDatabase } from './db';
import { helpFeature } from './features/help';
import { housekeepingFeature } from './platform/housekeeping';
import type { Feature } from './bot/registry';

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

async function main() {
  const config = configOrExit();
  const database = await openDatabase(config.database);
  const applied = await database.migrate();
  const app = await createApp({ config, database, features: FEATURES });
  if (applied.length) app.log.info({ applied }, 'database migrations applied');
  await app.start();

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
