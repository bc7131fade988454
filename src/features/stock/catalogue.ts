import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { CatalogueSku, SkuMatch } from './parse';
import { STOCK_ERRORS } from './keys';

/** A SKU of the catalogue as the parser reads it, with what booking needs besides. */
export type StockSku = CatalogueSku & { allowNegative: boolean; category: string };

export function requireSku(match: SkuMatch): CatalogueSku {
  if (match.kind === 'found') return match.sku;
  if (match.kind === 'ambiguous') {
    const names = match.candidates.map((c) => c.name).join('、');
    throw new UserFacingError(STOCK_ERRORS.ambiguousSku, `你说的是哪一个：${names}？请写全名称再发一次，例如：查库存 ${match.candidates[0].name}`);
  }
  throw new UserFacingError(STOCK_ERRORS.unknownSku, `没找到商品「${match.text}」。请核对名称，或请管理员导入这个商品。`);
}

/**
 * The SKUs as the parser reads them, with what booking needs besides. The parser needs every
 * name, alias and code (a near miss like 珍株 is matched against all of them), so asking the
 * database for candidates only would not do; instead the catalogue is kept per process and
 * database client, and each message asks only whether it changed: the number of SKUs and their
 * latest `updated_at`, one row. Every write to a SKU goes through Prisma, which sets `updated_at`
 * (the master-data import, CLI or sync API, in this process or another replica), and no path
 * deletes one without a wipe that changes the count; so a change anywhere is seen by the next
 * message, with no invalidation to forget.
 */
export async function loadCatalogue(ctx: Pick<BotContext, 'db'>): Promise<StockSku[]> {
  const [version] = await ctx.db.$queryRaw<{ skus: number; changed: Date | null }[]>`SELECT COUNT(*)::int AS skus, MAX(updated_at) AS changed FROM sku`;
  const key = `${version.skus}:${version.changed?.getTime() ?? ''}`;
  const cached = catalogues.get(ctx.db);
  if (cached?.key === key) return cached.skus;
  const skus = (await ctx.db.sku.findMany({ select: { code: true, name: true, aliases: true, category: true, baseUnit: true, packUnits: true, allowNegative: true } })).map((s) => ({
    ...s,
    packUnits: s.packUnits as CatalogueSku['packUnits'],
  }));
  catalogues.set(ctx.db, { key, skus });
  return skus;
}

/** Per database client: a test process (or a sandbox) may hold several databases at once. */
const catalogues = new WeakMap<object, { key: string; skus: StockSku[] }>();
