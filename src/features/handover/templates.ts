import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import stableStringify from 'fast-json-stable-stringify';
import type { Db, DbTx } from '../../db';
import type { Prisma } from '../../generated/prisma/client';
import { UserFacingError } from '../../bot/errors';
import { PROJECT_ROOT } from '../../paths';
import type { RepairSetupLookup } from '../workorders';
import { checklistDocument, checklistTemplate, describeIssues, type ChecklistTemplate } from './checklist';
import { HANDOVER_ERRORS } from './keys';

/** The chain default's scope; a store's own template has its store code as scope. */
export const CHAIN_SCOPE = '*';
/** The 12-item default, imported as the chain default the first time a store hands over without one. */
const DEFAULT_FILE = path.join(PROJECT_ROOT, 'src', 'features', 'handover', 'default-checklist.json');

export interface StoredTemplate {
  scope: string;
  version: number;
  template: ChecklistTemplate;
}

export type TemplateImport = { ok: true; scope: string; version: number; created: boolean; items: number } | { ok: false; problems: string[] };

/**
 * Imports a checklist template (JSON: the template, with `store` for one store's own or without
 * for the chain default). Every problem is reported (item fields, duplicate keys, unknown store or
 * SKU); a valid one becomes the next version of its scope unless it equals the latest, so
 * importing the same file twice adds nothing. Handovers keep the version they were done with.
 */
export async function importChecklist(db: Db, content: string, now: Date): Promise<TemplateImport> {
  let raw: unknown;
  try {
    raw = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { ok: false, problems: [`不是有效的 JSON：${(err as Error).message}`] };
  }
  const doc = checklistDocument.safeParse(raw);
  if (!doc.success) return { ok: false, problems: describeIssues(doc.error) };
  const { store, ...body } = doc.data;
  const parsed = checklistTemplate.safeParse(body);
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error) };
  const template = parsed.data;
  const problems: string[] = [];
  if (store && !(await db.store.findUnique({ where: { code: store } }))) problems.push(`store: 门店 ${store} 不存在，请先导入门店`);
  const skus = [...new Set(template.items.flatMap((i) => (i.kind === 'sku_count' ? i.skus : [])))];
  const known = new Set((await db.sku.findMany({ where: { code: { in: skus } }, select: { code: true } })).map((s) => s.code));
  for (const sku of skus) if (!known.has(sku)) problems.push(`items: 商品 ${sku} 不在商品目录里`);
  for (const [kind, userid] of Object.entries({ ...template.maintenance.byEquipment, ...(template.maintenance.default ? { default: template.maintenance.default } : {}) })) {
    if (!(await db.staff.findUnique({ where: { userid } }))) problems.push(`maintenance.${kind}: 员工 ${userid} 不存在`);
  }
  if (problems.length) return { ok: false, problems };
  return db.$transaction((tx) => storeVersion(tx, store ?? CHAIN_SCOPE, template, now));
}

async function storeVersion(tx: DbTx, scope: string, template: ChecklistTemplate, now: Date): Promise<TemplateImport> {
  // One importer at a time per scope, so two imports never claim the same version number.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`checklist_template:${scope}`}))`;
  const checksum = crypto.createHash('sha256').update(stableStringify(template)).digest('hex');
  const latest = await tx.checklistTemplate.findFirst({ where: { scope }, orderBy: { version: 'desc' } });
  if (latest?.checksum === checksum) return { ok: true, scope, version: latest.version, created: false, items: template.items.length };
  const version = (latest?.version ?? 0) + 1;
  await tx.checklistTemplate.create({
    data: { scope, version, name: template.name, definition: template as unknown as Prisma.InputJsonObject, checksum, importedAt: now },
  });
  return { ok: true, scope, version, created: true, items: template.items.length };
}

/** The template a store uses now: its own latest version, else the chain default's (the built-in one on first use). */
export async function currentTemplate(db: Db, storeCode: string, now: Date): Promise<StoredTemplate> {
  const own = await db.checklistTemplate.findFirst({ where: { scope: storeCode }, orderBy: { version: 'desc' } });
  const chosen = own ?? (await db.checklistTemplate.findFirst({ where: { scope: CHAIN_SCOPE }, orderBy: { version: 'desc' } }));
  if (chosen) return { scope: chosen.scope, version: chosen.version, template: checklistTemplate.parse(chosen.definition) };
  const outcome = await importChecklist(db, fs.readFileSync(DEFAULT_FILE, 'utf8'), now);
  if (!outcome.ok) throw new UserFacingError(HANDOVER_ERRORS.noTemplate, `还没有可用的交班清单（${outcome.problems[0]}）。请管理员导入：npm run admin -- import checklist <文件>`);
  return currentTemplate(db, storeCode, now);
}

/** The work-orders feature's view of a store's current template: its equipment, repairers and deadlines. */
export const currentRepairSetup: RepairSetupLookup = async (db, storeCode, now) => (await currentTemplate(db, storeCode, now)).template;

/**
 * What a store calls its equipment (`ice_machine` → 制冰机), for showing work orders opened under
 * any version: the built-in default's names, under the chain's stored versions, under the store's
 * own, the newer naming last. Reads only: unlike currentTemplate it never imports a template.
 */
export async function equipmentNames(db: Db, storeCode: string): Promise<Record<string, string>> {
  const stored = await db.checklistTemplate.findMany({ where: { scope: { in: [CHAIN_SCOPE, storeCode] } }, orderBy: { version: 'asc' }, select: { scope: true, definition: true } });
  stored.sort((a, b) => Number(a.scope === storeCode) - Number(b.scope === storeCode));
  const builtIn = (JSON.parse(fs.readFileSync(DEFAULT_FILE, 'utf8')) as { equipment?: Record<string, string> }).equipment ?? {};
  return Object.assign({}, builtIn, ...stored.map((t) => (t.definition as { equipment?: Record<string, string> }).equipment ?? {}));
}

/** The exact version a handover was done with. */
export async function templateVersion(db: DbTx, scope: string, version: number): Promise<ChecklistTemplate> {
  const row = await db.checklistTemplate.findUniqueOrThrow({ where: { scope_version: { scope, version } } });
  return checklistTemplate.parse(row.definition);
}

export const DEFAULT_CHECKLIST_FILE = DEFAULT_FILE;
