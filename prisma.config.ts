// Configuration for the Prisma CLI (generate, migrate diff, migrate status).
// The CLI runs on the JS engine with the same driver adapter the app uses, because this
// project's machines cannot download Prisma's native engines.
import 'dotenv/config';
import { defineConfig } from 'prisma/config';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { databaseTarget, PLACEHOLDER_DATABASE_URL } from './src/db/target';
import { openDriver, type Driver } from './src/db/driver';

const target = databaseTarget(process.env.DATABASE_URL);
// The CLI validates DATABASE_URL as a postgresql:// URL and otherwise falls back to the
// native engine (failing with a misleading download error), so it always gets one.
if (target.kind === 'pglite') process.env.DATABASE_URL = PLACEHOLDER_DATABASE_URL;

/** How long the CLI may leave PGlite idle before we close it for it. */
const PGLITE_IDLE_CLOSE_MS = 1500;

/**
 * The CLI never disposes its adapter, and an open PGlite keeps the process alive for ever.
 * So PGlite is opened only when a command connects, and closed once the command has gone
 * quiet; the closing timer is unref'd, so it never keeps the process alive itself.
 */
function cliAdapter(): SqlMigrationAwareDriverAdapterFactory {
  let driver: Promise<Driver> | null = null;
  let inFlight = 0;
  let idleTimer: NodeJS.Timeout | null = null;
  const open = () => (driver ??= openDriver(target, { forCli: true }));
  const settle = () => {
    if (--inFlight > 0 || target.kind !== 'pglite') return;
    idleTimer = setTimeout(() => void open().then((d) => d.close()), PGLITE_IDLE_CLOSE_MS);
    idleTimer.unref();
  };
  const track = <T extends object>(obj: T): T =>
    new Proxy(obj, {
      get(o, prop, receiver) {
        const value = Reflect.get(o, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (idleTimer) clearTimeout(idleTimer);
          inFlight++;
          const result = value.apply(o, args);
          if (!(result instanceof Promise)) {
            settle();
            return result;
          }
          return result.then(
            (r) => (settle(), r && typeof r === 'object' && 'queryRaw' in r ? track(r as SqlDriverAdapter) : r),
            (e) => (settle(), Promise.reject(e)),
          );
        };
      },
    });
  return {
    provider: 'postgres',
    adapterName: target.kind === 'pglite' ? 'pglite' : '@prisma/adapter-pg',
    connect: async () => track(await (await open()).adapterFactory.connect()),
    connectToShadowDb: async () => track(await (await open()).adapterFactory.connectToShadowDb()),
  };
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => cliAdapter(),
});
