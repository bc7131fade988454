import { loadConfig, type Config } from '../config';
import type { Db } from '../db';
import { FEATURES } from '../features';

/**
 * Seeds the sandbox's demo chain on first start: each feature's part of it, in feature order
 * (master data first). `reset` wipes every app table first.
 */
export async function seedDemoData(db: Db, opts: { reset: boolean; now: Date; config?: Config }): Promise<'seeded' | 'present'> {
  if (opts.reset) await wipeAppTables(db);
  else if ((await db.store.count()) > 0) return 'present';
  // The sandbox's own settings (its demo phone pepper) unless the caller passes the app's.
  const config = opts.config ?? loadConfig({});
  for (const feature of FEATURES) await feature.demo?.(db, { now: opts.now, config });
  return 'seeded';
}

/** Empties every table of the app — all of the schema but `_prisma_migrations` — so features need not list theirs. */
async function wipeAppTables(db: Db): Promise<void> {
  const tables = await db.$queryRaw<{ tablename: string }[]>`
    SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`;
  await db.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
}
