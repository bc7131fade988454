import type { z } from 'zod';
import type { Db } from '../../db';
import { Prisma } from '../../generated/prisma/client';
import { parseLocalOrIso } from '../../timezone';
import { ALL_LINES, type ImportProblem, type recipeRow } from './rows';

type RecipeRow = z.infer<typeof recipeRow>;

/** The chain's recipe, as opposed to one store's override. */
export const CHAIN_RECIPE = '*';

interface Version {
  kind: 'menu' | 'prep';
  product: string;
  scope: string;
  /** Absent: the version starts when it is imported. */
  validFrom?: Date;
  yieldQuantity: number;
  batchUnit: string | null;
  lines: { modifier: string; skuCode: string; quantity: number | null; factor: number | null; line?: number }[];
  firstLine: number;
}

/** What makes two versions the same recipe: yield, batch unit and lines, in a stable order. */
function contentOf(v: Pick<Version, 'yieldQuantity' | 'batchUnit' | 'lines'>): string {
  const lines = v.lines
    .map((l) => [l.modifier, l.skuCode, l.quantity === null ? null : +l.quantity.toFixed(4), l.factor === null ? null : +l.factor.toFixed(4)])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return JSON.stringify([+v.yieldQuantity.toFixed(3), v.batchUnit, lines]);
}

/**
 * Recipes: the rows of one product, store and valid-from are one version. A version is never
 * changed — sales were exploded by it — so importing one whose content differs from a stored
 * version of the same key is refused (give it a later valid_from); the same content again is
 * unchanged. Without valid_from a version starts at import, unless it equals the one in force.
 * A prepared SKU's cost price becomes its current recipe's cost per base unit, so waste of
 * prepared goods is valued at what went into them.
 */
export async function importRecipes(db: Db, rows: { line: number; row: RecipeRow }[], problems: ImportProblem[], timezone: string, now: Date): Promise<{ created: number; updated: number } | null> {
  const products = [...new Set(rows.map((r) => r.row.product))];
  const ingredients = [...new Set(rows.map((r) => r.row.sku).filter((s) => s !== ALL_LINES))];
  const stores = [...new Set(rows.flatMap((r) => (r.row.store ? [r.row.store] : [])))];
  const [menuItems, skus, knownStores] = await Promise.all([
    db.menuItem.findMany({ where: { code: { in: products } }, select: { code: true } }),
    db.sku.findMany({ where: { code: { in: [...new Set([...products, ...ingredients])] } }, select: { code: true, baseUnit: true, costPrice: true } }),
    db.store.findMany({ where: { code: { in: stores } }, select: { code: true } }),
  ]);
  const isMenu = new Set(menuItems.map((m) => m.code));
  const skuByCode = new Map(skus.map((s) => [s.code, s]));
  const isStore = new Set(knownStores.map((s) => s.code));

  const versions = new Map<string, Version>();
  for (const { line, row } of rows) {
    const kind = isMenu.has(row.product) ? 'menu' : skuByCode.has(row.product) ? 'prep' : null;
    if (!kind) problems.push({ line, message: `产品 ${row.product} 不存在：先导入菜单 menu-items（卖的饮品、面包），或商品 skus（自制半成品，如煮好的珍珠）` });
    if (row.store && !isStore.has(row.store)) problems.push({ line, message: `门店 ${row.store} 不存在` });
    if (row.sku !== ALL_LINES && !skuByCode.has(row.sku)) problems.push({ line, message: `原料 ${row.sku} 不存在：先导入商品 skus` });
    if (row.sku === row.product) problems.push({ line, message: `${row.product} 不能用自己做原料` });
    const validFrom = row.valid_from ? parseLocalOrIso(/^\d{4}-\d{2}-\d{2}$/.test(row.valid_from) ? `${row.valid_from} 00:00` : row.valid_from, timezone) : undefined;
    if (validFrom === null) problems.push({ line, message: `生效时间「${row.valid_from}」不是有效的时间` });
    if (!kind || validFrom === null) continue;
    if (kind === 'menu' && row.yield !== null && row.yield !== 1) problems.push({ line, message: '菜单产品每份就是 1 份：出品量 yield 只用于自制半成品' });
    if (kind === 'prep' && row.modifier) problems.push({ line, message: '自制半成品的配方没有加料/规格（modifier）' });
    const scope = row.store ?? CHAIN_RECIPE;
    const key = `${row.product}\u0000${scope}\u0000${validFrom?.toISOString() ?? ''}`;
    let version = versions.get(key);
    if (!version) {
      version = { kind, product: row.product, scope, validFrom, yieldQuantity: kind === 'menu' ? 1 : (row.yield ?? NaN), batchUnit: row.batch_unit ?? null, lines: [], firstLine: line };
      versions.set(key, version);
      if (kind === 'prep' && row.yield === null) problems.push({ line, message: `自制半成品 ${row.product} 要填出品量 yield（每批出多少${skuByCode.get(row.product)?.baseUnit ?? ''}）` });
    } else if (kind === 'prep' && ((row.yield !== null && row.yield !== version.yieldQuantity) || (row.batch_unit ?? null) !== version.batchUnit)) {
      problems.push({ line, message: `同一版本的出品量 yield 和批次单位 batch_unit 要与第 ${version.firstLine} 行一致` });
    }
    const same = version.lines.findIndex((l) => l.modifier === row.modifier && l.skuCode === row.sku);
    if (same >= 0) problems.push({ line, message: `${row.modifier ? `加料/规格「${row.modifier}」的` : ''}原料 ${row.sku} 在这个版本里重复` });
    version.lines.push({ modifier: row.modifier, skuCode: row.sku, quantity: row.quantity ?? null, factor: row.factor ?? null, line });
  }
  for (const v of versions.values()) {
    if (!v.lines.some((l) => l.modifier === '')) problems.push({ line: v.firstLine, message: `${v.product} 的配方没有基础原料行（modifier 留空的行）` });
    const base = new Set(v.lines.filter((l) => l.modifier === '').map((l) => l.skuCode));
    for (const l of v.lines)
      if (l.factor !== null && l.skuCode !== ALL_LINES && !base.has(l.skuCode))
        problems.push({ line: l.line ?? v.firstLine, message: `「${l.modifier}」按倍数调整的原料 ${l.skuCode} 不在基础配方里` });
  }
  if (problems.length) return null;

  let created = 0;
  await db
    .$transaction(
      async (tx) => {
        for (const v of versions.values()) {
          // One importer at a time per product: two imports of the same recipe cannot both add it.
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`recipe:${v.kind}:${v.product}:${v.scope}`}))`;
          const stored = await tx.recipe.findFirst({
            // Dated: that version; undated: the one in force now, which an unchanged file leaves as it is.
            where: { kind: v.kind, product: v.product, scope: v.scope, validFrom: v.validFrom ?? { lte: now } },
            orderBy: { validFrom: 'desc' },
            include: { lines: true },
          });
          const storedContent =
            stored &&
            contentOf({
              yieldQuantity: stored.yieldQuantity.toNumber(),
              batchUnit: stored.batchUnit,
              lines: stored.lines.map((l) => ({ ...l, quantity: l.quantity?.toNumber() ?? null, factor: l.factor?.toNumber() ?? null })),
            });
          if (stored && storedContent === contentOf(v)) continue;
          if (stored && v.validFrom) {
            problems.push({ line: v.firstLine, message: `${v.product} 从 ${v.validFrom.toISOString()} 起的版本已导入且内容不同：已用过的版本不能改，请给新配方一个新的生效时间 valid_from` });
            continue;
          }
          await tx.recipe.create({
            data: {
              kind: v.kind,
              product: v.product,
              scope: v.scope,
              validFrom: v.validFrom ?? now,
              yieldQuantity: v.yieldQuantity,
              batchUnit: v.batchUnit,
              createdAt: now,
              lines: { create: v.lines.map((l) => ({ modifier: l.modifier, skuCode: l.skuCode, quantity: l.quantity, factor: l.factor })) },
            },
          });
          created += 1;
          if (v.kind === 'prep' && v.scope === CHAIN_RECIPE && (v.validFrom ?? now) <= now) {
            const cost = v.lines.reduce((sum, l) => sum.plus(new Prisma.Decimal(l.quantity ?? 0).times(skuByCode.get(l.skuCode)!.costPrice)), new Prisma.Decimal(0));
            await tx.sku.update({ where: { code: v.product }, data: { costPrice: cost.dividedBy(v.yieldQuantity).toDecimalPlaces(4) } });
          }
        }
        if (problems.length) throw new RefusedVersions();
      },
      { timeout: 60_000 },
    )
    .catch((err) => {
      if (!(err instanceof RefusedVersions)) throw err;
    });
  if (problems.length) return null;
  return { created, updated: 0 };
}

/** Rolls the import back when a stored version would have to change. */
class RefusedVersions extends Error {}
