import fs from 'node:fs';
import path from 'node:path';
import type { DemoContext } from '../../bot/registry';
import type { Db } from '../../db';
import { PROJECT_ROOT } from '../../paths';
import { importMasterData } from './import';
import type { Kind } from './rows';

const DEMO_DIR = path.join(PROJECT_ROOT, 'src', 'features', 'masterdata', 'demo-data');
/** In import order: staff and settings refer to stores and SKUs, recipes to menu items and SKUs. */
const DEMO_FILES: [Kind, string][] = [
  ['stores', 'stores.csv'],
  ['staff', 'staff.csv'],
  ['skus', 'skus.csv'],
  ['sku-settings', 'sku-settings.csv'],
  ['menu-items', 'menu-items.csv'],
  ['recipes', 'recipes.csv'],
];
/** The demo's new hire stays new whenever the sandbox is started. */
const NEW_HIRE = { userid: 'wangxin', daysAgo: 7 };

/**
 * The demo chain: two stores, their staff and managers, a tea-drink/bakery catalogue, its menu and recipes —
 * imported through the same importer an admin uses, from the CSV files in demo-data/.
 */
export async function seedMasterDataDemo(db: Db, { now, config }: DemoContext): Promise<void> {
  for (const [kind, file] of DEMO_FILES) {
    const outcome = await importMasterData(db, kind, fs.readFileSync(path.join(DEMO_DIR, file), 'utf8'), 'csv', { timezone: config.timezone, now });
    if (!outcome.ok) throw new Error(`demo data ${file} does not import: ${outcome.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
  }
  await db.staff.update({ where: { userid: NEW_HIRE.userid }, data: { hireDate: new Date(now.getTime() - NEW_HIRE.daysAgo * 86_400_000) } });
}
