import type { BotContext } from '../../../bot/context';
import { UserFacingError } from '../../../bot/errors';
import type { DbTx } from '../../../db';
import { chainDate } from '../../../timezone';
import { bookMoves } from '../booking';
import { loadCatalogue } from '../catalogue';
import { format, onHand, type NewMove } from '../ledger';
import { matchSku, normalizeText, readQuantity, stripFillers, type CatalogueSku } from '../parse';
import { requireStore } from '../stores';
import { RECIPE_ERRORS } from './keys';
import { consumptionOf, ledgerQuantity, loadRecipeBook, type RecipeVersion } from './recipe-book';

/**
 * Recipes in chat: `配方 珍珠奶茶` shows what an item (or a prepared SKU's batch) consumes under the
 * version in force for the sender's store; `出炉 吐司 20条`, `备料 珍珠 2锅`, `煮珍珠 2锅` book a
 * production — the prepared item in, its ingredients out by its recipe — as one entry.
 */

/** The words that start a production; `煮` is glued to what was cooked (`煮珍珠`), so it is read, not a command. */
export const PRODUCTION_COMMANDS = ['出炉', '备料'] as const;
const PRODUCTION_WORDS = [...PRODUCTION_COMMANDS, '煮'];
const PRODUCTION_START = new RegExp(`^(?:${PRODUCTION_WORDS.join('|')})了?`, 'u');

/** A product as chat names it: a menu item, or a SKU with a prep recipe. */
interface Product {
  kind: RecipeVersion['kind'];
  code: string;
  name: string;
  aliases: string[];
}

async function products(db: DbTx, kind?: RecipeVersion['kind']): Promise<Product[]> {
  const [menu, prepared] = await Promise.all([
    kind === 'prep' ? [] : db.menuItem.findMany({ select: { code: true, name: true, aliases: true } }),
    kind === 'menu' ? [] : db.$queryRaw<{ code: string; name: string; aliases: string[] }[]>`SELECT code, name, aliases FROM sku WHERE code IN (SELECT product FROM recipe WHERE kind = 'prep')`,
  ]);
  return [...menu.map((m) => ({ kind: 'menu' as const, ...m })), ...prepared.map((p) => ({ kind: 'prep' as const, ...p }))];
}

/** Exact name, alias or code, else the one product whose name holds the text; never a guess among several. */
function matchProduct(text: string, all: Product[]): Product {
  const t = text.trim();
  const exact = all.filter((p) => p.name === t || p.aliases.includes(t) || p.code.toLowerCase() === t.toLowerCase());
  const found = exact.length > 0 ? exact : all.filter((p) => [p.name, ...p.aliases].some((n) => n.includes(t)));
  if (found.length === 1) return found[0];
  if (found.length > 1)
    throw new UserFacingError(
      RECIPE_ERRORS.ambiguousProduct,
      `你说的是哪一个：${found
        .slice(0, 6)
        .map((p) => p.name)
        .join('、')}？请写全名称再发一次。`,
    );
  throw new UserFacingError(RECIPE_ERRORS.unknownProduct, `没找到「${t}」的配方。菜单和自制半成品的配方由总部导入。`);
}

/** `配方 珍珠奶茶`: the version in force for the sender's store, per item (or per batch), with its modifiers and cost. */
export async function showRecipe(ctx: BotContext): Promise<void> {
  const name = stripFillers(normalizeText(ctx.args));
  if (!name) throw new UserFacingError(RECIPE_ERRORS.productMissing, '查哪个配方？例如：配方 珍珠奶茶');
  const store = await requireStore(ctx);
  const product = matchProduct(name, await products(ctx.db));
  const now = ctx.clock.now();
  const version = (await loadRecipeBook(ctx.db, product.kind, [product.code], [store.code])).versionFor(product.code, store.code, now);
  if (!version) throw new UserFacingError(RECIPE_ERRORS.noRecipe, `${product.name} 还没有生效的配方。`);
  const skus = new Map((await ctx.db.sku.findMany({ where: { code: { in: version.lines.map((l) => l.skuCode) } } })).map((s) => [s.code, s]));
  const nameOf = (code: string) => skus.get(code)?.name ?? (code === '*' ? '全部基础原料' : code);
  const unitOf = (code: string) => skus.get(code)?.baseUnit ?? '';
  const base = consumptionOf(version, []);
  const cost = base.ok ? [...base.use].reduce((sum, [code, q]) => sum + q * (skus.get(code)?.costPrice.toNumber() ?? 0), 0) : 0;
  const per =
    product.kind === 'prep'
      ? `每批${version.batchUnit ? `（1${version.batchUnit}）` : ''}出 ${format(version.yieldQuantity)}${unitOf(product.code) || (await ctx.db.sku.findUnique({ where: { code: product.code } }))?.baseUnit || ''}`
      : '每份';
  const lines = [
    `【配方】${product.name}（${version.scope === store.code ? `${store.name}专用` : '总部'}，${chainDate(version.validFrom, ctx.config.timezone)} 起）`,
    `${per}用料：`,
    ...version.lines.filter((l) => l.modifier === '').map((l) => `· ${nameOf(l.skuCode)} ${format(l.quantity!)}${unitOf(l.skuCode)}`),
  ];
  const modifiers = [...new Set(version.lines.map((l) => l.modifier).filter(Boolean))];
  if (modifiers.length > 0) {
    lines.push('加料/规格：');
    for (const m of modifiers) {
      const parts = version.lines
        .filter((l) => l.modifier === m)
        .map((l) => (l.factor !== null ? `${nameOf(l.skuCode)} ×${format(l.factor)}` : `${nameOf(l.skuCode)} ${l.quantity! > 0 ? '+' : ''}${format(l.quantity!)}${unitOf(l.skuCode)}`));
      lines.push(`· ${m}：${parts.join('，')}`);
    }
  }
  lines.push(`原料成本约 ¥${(product.kind === 'prep' ? cost / version.yieldQuantity : cost).toFixed(2)}${product.kind === 'prep' ? `/${unitOf(product.code)}` : '/份'}`);
  await ctx.reply(lines.join('\n'));
}

/** Whether a message reads as a production (`煮珍珠 2锅` has no space after its verb, so it is not a command). */
export const readsAsProduction = (ctx: BotContext): boolean => PRODUCTION_START.test(normalizeText(ctx.message.content ?? ''));

/**
 * `出炉 吐司 20条`, `煮珍珠 2锅`: the prepared SKU in (its base unit, a pack unit, or its recipe's
 * batch unit), each ingredient out by the recipe in force for the store, all in one transaction —
 * an ingredient short in the book refuses the whole production, named. One entry: `撤销` takes all
 * of it back.
 */
export async function recordProduction(ctx: BotContext): Promise<void> {
  const text = normalizeText(ctx.message.content ?? '')
    .replace(PRODUCTION_START, '')
    .trim();
  const store = await requireStore(ctx);
  const prepared = await products(ctx.db, 'prep');
  const book = await loadRecipeBook(
    ctx.db,
    'prep',
    prepared.map((p) => p.code),
    [store.code],
  );
  const catalogue = await loadCatalogue(ctx);
  const now = ctx.clock.now();
  // Each prepared SKU with its batch unit as one more pack: `2锅` is two batches' yield.
  const readable: { sku: CatalogueSku; version: RecipeVersion }[] = prepared.flatMap((p) => {
    const version = book.versionFor(p.code, store.code, now);
    const sku = catalogue.find((c) => c.code === p.code);
    if (!version || !sku) return [];
    const batch =
      version.batchUnit && version.batchUnit !== sku.baseUnit && !sku.packUnits.some((u) => u.unit === version.batchUnit) ? [{ unit: version.batchUnit, factor: version.yieldQuantity }] : [];
    return [{ sku: { ...sku, packUnits: [...sku.packUnits, ...batch] }, version }];
  });
  const split = splitProductAndQuantity(
    text,
    readable.map((r) => r.sku),
  );
  if (!split)
    throw new UserFacingError(
      RECIPE_ERRORS.productMissing,
      `做了什么、多少？例如：出炉 吐司 20条、煮珍珠 2锅（可以记的：${readable.map((r) => r.sku.name).join('、') || '总部还没有导入自制半成品的配方'}）`,
    );
  const { sku, quantity } = split;
  if (!quantity) throw new UserFacingError(RECIPE_ERRORS.quantityMissing, `${sku.name}做了多少？例如：出炉 ${sku.name} 20${sku.baseUnit}`);
  const { version } = readable.find((r) => r.sku.code === sku.code)!;
  const batches = quantity.baseQuantity / version.yieldQuantity;
  const inbound = ctx.message.id;
  const occurredAt = new Date(ctx.message.createTime * 1000);
  const base: Omit<NewMove, 'skuCode' | 'kind' | 'quantity' | 'externalId'> = {
    storeCode: store.code,
    staffUserid: ctx.message.fromUser,
    occurredAt,
    recordedAt: now,
    source: 'chat',
    reason: `出品 ${format(quantity.amount)}${quantity.unit}`,
  };
  const use = [...version.lines.filter((l) => l.modifier === '')].map((l) => ({ skuCode: l.skuCode, quantity: ledgerQuantity(l.quantity! * batches) })).filter((l) => l.quantity > 0);
  const moves: NewMove[] = [
    { ...base, skuCode: sku.code, kind: 'production_in', quantity: quantity.baseQuantity, externalId: `chat:${inbound}`, enteredQuantity: quantity.amount, enteredUnit: quantity.unit },
    ...use.map((l) => ({ ...base, skuCode: l.skuCode, kind: 'production_out' as const, quantity: -l.quantity, externalId: `chat:${inbound}:${l.skuCode}` })),
  ];
  const rules = new Map(catalogue.filter((c) => c.code === sku.code || use.some((l) => l.skuCode === c.code)).map((c) => [c.code, { baseUnit: c.baseUnit, allowNegative: c.allowNegative }]));
  const nameOf = (code: string) => catalogue.find((c) => c.code === code)?.name ?? code;
  const unitOf = (code: string) => catalogue.find((c) => c.code === code)?.baseUnit ?? '';
  await ctx.transaction(async (tx) => {
    await bookMoves(tx.db, ctx.config, moves, rules, now);
    const after = await onHand(tx.db, store.code, sku.code);
    await tx.reply(
      [
        `已记${ctx.message.content?.trim().startsWith('出炉') ? '出炉' : '出品'}：${sku.name} ${format(quantity.amount)}${quantity.unit}${quantity.unit !== sku.baseUnit ? `（${format(quantity.baseQuantity)}${sku.baseUnit}）` : ''}，${store.name}现有 ${format(after)}${sku.baseUnit}`,
        `按配方用料（${format(batches)} 批）：${use.map((l) => `${nameOf(l.skuCode)} ${format(l.quantity)}${unitOf(l.skuCode)}`).join('、')}`,
        '记错了发「撤销」，整笔（成品和用料）一起撤回。',
      ].join('\n'),
    );
  });
}

/** The prepared SKU the text starts with and the quantity after it: the first split where both read. */
function splitProductAndQuantity(text: string, skus: CatalogueSku[]): { sku: CatalogueSku; quantity: ReturnType<typeof readQuantity> } | null {
  const t = text.replace(/\s+/g, ' ').trim();
  if (!t) return null;
  for (let i = 1; i <= t.length; i++) {
    const name = stripFillers(t.slice(0, i));
    const match = name ? matchSku(name, skus) : null;
    if (match?.kind !== 'found') continue;
    const rest = t.slice(i).trim();
    if (!rest) {
      if (i === t.length) return { sku: match.sku, quantity: null };
      continue;
    }
    const quantity = readQuantity(rest, match.sku);
    if (quantity) return { sku: match.sku, quantity };
  }
  // What comes before the quantity (or the first space) is what they say they made.
  const name = stripFillers(t.replace(/\s*(?:\d|[一二两三四五六七八九十半]).*$/u, '').split(' ')[0]);
  const named = matchSku(name, skus);
  if (named.kind === 'ambiguous') throw new UserFacingError(RECIPE_ERRORS.ambiguousProduct, `你说的是哪一个：${named.candidates.map((c) => c.name).join('、')}？`);
  if (named.kind === 'found') throw new UserFacingError(RECIPE_ERRORS.quantityUnreadable, `没看懂「${t}」。写成：出炉 吐司 20条、煮珍珠 2锅（商品名 + 数量和单位）。`);
  throw new UserFacingError(RECIPE_ERRORS.notPrepared, `「${name || t}」没有自制半成品的配方，不能记出品。入库请发「入库 ${name || t} …」。`);
}
