import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { importMasterData } from '../features/masterdata/import';
import type { Kind } from '../features/masterdata/rows';
import { PROJECT_ROOT } from '../paths';
import type { MembersConfig } from '../config';
import { MEMBER_TABLES, seedDemoMembers } from '../features/members/demo';

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

/** Every table of the app; `_prisma_migrations` is left alone. */
const APP_TABLES = [...MEMBER_TABLES, 'sku_store_setting', 'sku_barcode', 'sku', 'staff', 'store', 'outbox_message', 'inbound_message', 'cron_run', 'access_token'];

/**
 * Seeds the sandbox's demo chain on first start: two stores, their staff and managers, and a
 * tea-drink/bakery catalogue — imported through the same importer an admin uses, from the CSV
 * files beside this one. `reset` wipes every app table first.
 */
export async function seedDemoData(db: Db, opts: { reset: boolean; now: Date; members: MembersConfig }): Promise<'seeded' | 'present'> {
  if (opts.reset) await db.$executeRawUnsafe(`TRUNCATE ${APP_TABLES.join(', ')} RESTART IDENTITY CASCADE`);
  else if ((await db.store.count()) > 0) return 'present';
  for (const [kind, file] of DEMO_FILES) {
    const outcome = await importMasterData(db, kind, fs.readFileSync(path.join(DEMO_DIR, file), 'utf8'), 'csv');
    if (!outcome.ok) throw new Error(`demo data ${file} does not import: ${outcome.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
  }
  await db.staff.update({ where: { userid: NEW_HIRE.userid }, data: { hireDate: new Date(opts.now.getTime() - NEW_HIRE.daysAgo * 86_400_000) } });
  await seedDemoMembers(db, opts.now, opts.members);
  return 'seeded';
}
