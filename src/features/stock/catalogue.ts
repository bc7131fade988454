import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { CatalogueSku, SkuMatch } from './parse';

/** A SKU of the catalogue as the parser reads it, with what booking needs besides. */
export type StockSku = CatalogueSku & { allowNegative: boolean; category: string };

export function requireSku(match: SkuMatch): CatalogueSku {
  if (match.kind === 'found') return match.sku;
  if (match.kind === 'ambiguous') {
    const names = match.candidates.map((c) => c.name).join('、');
    throw new UserFacingError('stock.ambiguousSku', `你说的是哪一个：${names}？请写全名称再发一次，例如：查库存 ${match.candidates[0].name}`);
  }
  throw new UserFacingError('stock.unknownSku', `没找到商品「${match.text}」。请核对名称，或请管理员导入这个商品。`);
}

/** The SKUs as the parser reads them, with what booking needs besides. */
export async function loadCatalogue(ctx: BotContext): Promise<StockSku[]> {
  const skus = await ctx.db.sku.findMany({ select: { code: true, name: true, aliases: true, category: true, baseUnit: true, packUnits: true, allowNegative: true } });
  return skus.map((s) => ({ ...s, packUnits: s.packUnits as CatalogueSku['packUnits'] }));
}
