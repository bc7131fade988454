import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { importMasterData } from '../features/masterdata/import';
import type { Kind } from '../features/masterdata/rows';
import { PROJECT_ROOT } from '../paths';
import { DEFAULT_TIMEZONE, loadConfig, type MembersConfig } from '../config';
import { seedDemoMembers } from '../features/members/demo';
import { seedStockDemo } from '../features/stock/demo';
import { seedTaskDemo } from '../features/tasks/demo';
import { seedDemoScores } from '../features/score/demo';
import { seedHandoverDemo } from '../features/handover/demo';

const DEMO_DIR = path.join(PROJECT_ROOT, 'src', 'sandbox', 'demo-data');
/** In import order: staff and settings refer to stores and SKUs. */
const DEMO_FILES: [Kind, string][] = [
  ['stores', 'stores.csv'],
  ['staff', 'staff.csv'],
  ['skus', 'skus.csv'],
  ['sku-settings', 'sku-settings.csv'],
];
/** The demo's new hire stays new whenever the sandbox is started. */
const NEW_HIRE = { userid: 'wangxin', daysAgo: 7 };

/**
 * Seeds the sandbox's demo chain on first start: two stores, their staff and managers, and a
 * tea-drink/bakery catalogue — imported through the same importer an admin uses, from the CSV
 * files beside this one. `reset` wipes every app table first.
 */
export async function seedDemoData(db: Db, opts: { reset: boolean; now: Date; timezone?: string; members?: MembersConfig }): Promise<'seeded' | 'present'> {
  if (opts.reset) await wipeAppTables(db);
  else if ((await db.store.count()) > 0) return 'present';
  for (const [kind, file] of DEMO_FILES) {
    const outcome = await importMasterData(db, kind, fs.readFileSync(path.join(DEMO_DIR, file), 'utf8'), 'csv');
    if (!outcome.ok) throw new Error(`demo data ${file} does not import: ${outcome.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
  }
  await seedDemoScores(db, opts.now, opts.timezone ?? DEFAULT_TIMEZONE);
  await db.staff.update({ where: { userid: NEW_HIRE.userid }, data: { hireDate: new Date(opts.now.getTime() - NEW_HIRE.daysAgo * 86_400_000) } });
  // The sandbox's own member settings (its demo pepper) unless the caller passes the app's.
  await seedDemoMembers(db, opts.now, opts.members ?? loadConfig({}).members);
  await seedTaskDemo(db, opts.now, opts.timezone ?? DEFAULT_TIMEZONE);
  await seedHandoverDemo(db, opts.now);
  await seedStockDemo(db, opts.now);
  return 'seeded';
}

/** Empties every table of the app — all of the schema but `_prisma_migrations` — so features need not list theirs. */
async function wipeAppTables(db: Db): Promise<void> {
  const tables = await db.$queryRaw<{ tablename: string }[]>`
    SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`;
  await db.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
}
