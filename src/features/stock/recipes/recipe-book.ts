import type { DbTx } from '../../../db';
import type { Recipe, RecipeLine } from '../../../generated/prisma/client';
import { ALL_LINES, CHAIN_RECIPE } from '../../masterdata';

/** A recipe version as explosion reads it: numbers, not decimals. */
export interface RecipeVersion {
  id: bigint;
  kind: 'menu' | 'prep';
  product: string;
  scope: string;
  validFrom: Date;
  yieldQuantity: number;
  batchUnit: string | null;
  lines: { modifier: string; skuCode: string; quantity: number | null; factor: number | null }[];
}

/**
 * The recipe versions of some products, loaded once for a document or a report: which version
 * holds for a store at a time. A store's own version wins over the chain's — from its valid-from
 * on, a store override replaces the chain's recipe for that store, whatever the chain changes later.
 */
export class RecipeBook {
  private readonly byProduct = new Map<string, RecipeVersion[]>();

  constructor(versions: RecipeVersion[]) {
    for (const v of versions) this.byProduct.set(v.product, [...(this.byProduct.get(v.product) ?? []), v]);
    for (const list of this.byProduct.values()) list.sort((a, b) => b.validFrom.getTime() - a.validFrom.getTime());
  }

  versionFor(product: string, storeCode: string, at: Date): RecipeVersion | undefined {
    const valid = (this.byProduct.get(product) ?? []).filter((v) => v.validFrom <= at);
    return valid.find((v) => v.scope === storeCode) ?? valid.find((v) => v.scope === CHAIN_RECIPE);
  }

  /** The SKUs the versions of `products` (default: all) take. */
  ingredientCodes(products?: string[]): string[] {
    const lists = products ? products.map((p) => this.byProduct.get(p) ?? []) : [...this.byProduct.values()];
    return [...new Set(lists.flatMap((list) => list.flatMap((v) => v.lines.map((l) => l.skuCode))))].filter((c) => c !== ALL_LINES);
  }
}

/**
 * Every menu recipe version of the chain, kept per process and database client: versions are only
 * ever added (never changed or deleted), so the number of versions and the newest id say whether
 * it is still whole — one cheap row a document, instead of every recipe line.
 */
export async function menuRecipeBook(db: DbTx): Promise<RecipeBook> {
  const [version] = await db.$queryRaw<{ versions: number; newest: bigint | null }[]>`SELECT COUNT(*)::int AS versions, MAX(id) AS newest FROM recipe WHERE kind = 'menu'`;
  const key = `${version.versions}:${version.newest ?? ''}`;
  const cached = menuBooks.get(db);
  if (cached?.key === key) return cached.book;
  const book = toBook(await db.recipe.findMany({ where: { kind: 'menu' }, include: { lines: true } }));
  menuBooks.set(db, { key, book });
  return book;
}

/** Per database client: a test process (or a sandbox) may hold several databases at once. */
const menuBooks = new WeakMap<object, { key: string; book: RecipeBook }>();

/** Every version of these products' recipes for these stores (theirs and the chain's). */
export async function loadRecipeBook(db: DbTx, kind: RecipeVersion['kind'], products: string[], storeCodes: string[]): Promise<RecipeBook> {
  if (products.length === 0) return new RecipeBook([]);
  return toBook(await db.recipe.findMany({ where: { kind, product: { in: products }, scope: { in: [CHAIN_RECIPE, ...storeCodes] } }, include: { lines: true } }));
}

function toBook(rows: (Recipe & { lines: RecipeLine[] })[]): RecipeBook {
  return new RecipeBook(
    rows.map((r) => ({
      id: r.id,
      kind: r.kind as RecipeVersion['kind'],
      product: r.product,
      scope: r.scope,
      validFrom: r.validFrom,
      yieldQuantity: r.yieldQuantity.toNumber(),
      batchUnit: r.batchUnit,
      lines: r.lines.map((l) => ({ modifier: l.modifier, skuCode: l.skuCode, quantity: l.quantity?.toNumber() ?? null, factor: l.factor?.toNumber() ?? null })),
    })),
  );
}

/** What one item (menu) or one batch (prep) consumes, per ingredient in base units; or the modifiers the version does not know. */
export type Consumption = { ok: true; use: Map<string, number> } | { ok: false; unknownModifiers: string[] };

/**
 * One sold item's ingredients under a version and its modifiers: the base lines, every chosen
 * modifier's factors applied to them (大杯 ×1.4, 少冰 冰 ×0.5, 去奶盖 ×0; factors multiply), then
 * the modifiers' own quantities added (加珍珠 +40克, 大杯 杯 +1) — an added quantity is not scaled by
 * size. An ingredient never goes below zero. A modifier the version has no line for is unknown:
 * the sale is not guessed at but kept unmapped.
 */
export function consumptionOf(version: RecipeVersion, modifiers: readonly string[]): Consumption {
  const known = new Set(version.lines.map((l) => l.modifier).filter(Boolean));
  const unknown = [...new Set(modifiers.filter((m) => !known.has(m)))];
  if (unknown.length > 0) return { ok: false, unknownModifiers: unknown };
  const use = new Map<string, number>();
  for (const l of version.lines) if (l.modifier === '') use.set(l.skuCode, (use.get(l.skuCode) ?? 0) + l.quantity!);
  const chosen = new Set(modifiers);
  const lines = version.lines.filter((l) => chosen.has(l.modifier));
  for (const l of lines.filter((x) => x.factor !== null)) {
    for (const sku of l.skuCode === ALL_LINES ? [...use.keys()] : [l.skuCode]) use.set(sku, (use.get(sku) ?? 0) * l.factor!);
  }
  for (const l of lines.filter((x) => x.quantity !== null)) use.set(l.skuCode, (use.get(l.skuCode) ?? 0) + l.quantity!);
  for (const [sku, q] of use) if (!(q > 0)) use.delete(sku);
  return { ok: true, use };
}

/** A quantity as the ledger keeps it (three decimals), from a product of floats. */
export const ledgerQuantity = (q: number): number => Math.round(q * 1000) / 1000;
