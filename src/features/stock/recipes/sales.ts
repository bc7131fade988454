import type { Db, DbTx } from '../../../db';
import { Prisma } from '../../../generated/prisma/client';
import { enqueue } from '../../../platform/outbox';
import { text } from '../../../platform/outbound';
import { nearestManagerIds } from '../../../people';
import { chainDate } from '../../../timezone';
import type { AfterMoveConfig } from '../after-move';
import { bookMoves } from '../booking';
import { format, type NewMove, type SkuBookingRule } from '../ledger';
import { CHAIN_RECIPE } from '../../masterdata';
import { consumptionOf, ledgerQuantity, loadRecipeBook, menuRecipeBook, RecipeBook } from './recipe-book';

/**
 * POS sales of menu items: each sold line is kept as sold (stock_sale_line) and exploded into the
 * ingredients its recipe version — the one valid for the store when the item was sold — consumes,
 * booked as `sale` moves in the document's transaction. A line whose item has no recipe, or with a
 * modifier the recipe does not know, is kept unmapped: counted, told to the managers once per item
 * and day, and booked by `stock.bookUnmappedSales` once the recipe is there.
 */

/** A menu item line of a sales document, checked. */
export interface SoldItem {
  /** 1-based, in the document. */
  line: number;
  itemCode: string;
  itemName?: string;
  modifiers: string[];
  /** Negative: a refund. */
  quantity: number;
  amount?: number;
  /** A refund's original sale, whose recipe version it reverses; absent: the document's time. */
  soldAt?: Date;
}

export interface SalesDocumentRef {
  source: string;
  documentId: string;
  storeCode: string;
  occurredAt: Date;
  recordedAt: Date;
}

interface SaleLineRow {
  externalId: string;
  storeCode: string;
  itemCode: string;
  itemName: string | null;
  modifiers: string[];
  quantity: number;
  amount: number | null;
  occurredAt: Date;
  soldAt: Date;
  recipeId: bigint | null;
  unmapped: 'no_recipe' | 'unknown_modifier' | null;
  unknownModifiers: string[];
  receivedAt: Date;
  checkedAt: Date;
  bookedAt: Date | null;
}

/** The ingredient moves of one sold line, signed: a sale takes out, a refund brings back. */
function ingredientMoves(line: Pick<SaleLineRow, 'externalId' | 'storeCode' | 'quantity' | 'occurredAt'>, use: Map<string, number>, recordedAt: Date): NewMove[] {
  return [...use].flatMap(([skuCode, perItem]) => {
    const quantity = ledgerQuantity(-perItem * line.quantity);
    if (quantity === 0) return [];
    return [{ storeCode: line.storeCode, skuCode, kind: 'sale' as const, quantity, occurredAt: line.occurredAt, recordedAt, source: 'pos' as const, externalId: `${line.externalId}:${skuCode}` }];
  });
}

/** What a document's menu item lines become: the rows kept as sold, and the moves of those that are mapped. */
export function explodeSoldItems(doc: SalesDocumentRef, items: SoldItem[], book: RecipeBook): { saleLines: SaleLineRow[]; moves: NewMove[] } {
  const saleLines: SaleLineRow[] = [];
  const moves: NewMove[] = [];
  for (const item of items) {
    const soldAt = item.soldAt ?? doc.occurredAt;
    const version = book.versionFor(item.itemCode, doc.storeCode, soldAt);
    const consumption = version ? consumptionOf(version, item.modifiers) : null;
    const row: SaleLineRow = {
      externalId: `${doc.source}:sales:${doc.documentId}:${item.line}`,
      storeCode: doc.storeCode,
      itemCode: item.itemCode,
      itemName: item.itemName ?? null,
      modifiers: item.modifiers,
      quantity: item.quantity,
      amount: item.amount ?? null,
      occurredAt: doc.occurredAt,
      soldAt,
      recipeId: consumption?.ok ? version!.id : null,
      unmapped: !consumption ? 'no_recipe' : consumption.ok ? null : 'unknown_modifier',
      unknownModifiers: consumption && !consumption.ok ? consumption.unknownModifiers : [],
      receivedAt: doc.recordedAt,
      checkedAt: doc.recordedAt,
      bookedAt: consumption?.ok ? doc.recordedAt : null,
    };
    saleLines.push(row);
    if (consumption?.ok) moves.push(...ingredientMoves(row, consumption.use, doc.recordedAt));
  }
  return { saleLines, moves };
}

/** Keeps the sold lines; a line kept before (the same external id) is left as it is. */
export async function writeSaleLines(tx: DbTx, rows: SaleLineRow[]): Promise<void> {
  if (rows.length > 0) await tx.stockSaleLine.createMany({ data: rows, skipDuplicates: true });
}

/** Base unit of every ingredient the book names (for `items`: theirs only); a till's sale is booked even below zero. */
export async function ingredientRules(db: DbTx, book: RecipeBook, items?: string[]): Promise<Map<string, SkuBookingRule>> {
  const skus = await db.sku.findMany({ where: { code: { in: book.ingredientCodes(items) } }, select: { code: true, baseUnit: true } });
  return new Map(skus.map((s) => [s.code, { baseUnit: s.baseUnit, allowNegative: true }]));
}

/** The menu's recipes, and the booking rules of the ingredients a set of documents' items take. */
export async function recipesForSales(db: Db, documents: { items: SoldItem[] }[]): Promise<{ book: RecipeBook; rules: Map<string, SkuBookingRule> }> {
  const items = [...new Set(documents.flatMap((d) => d.items.map((i) => i.itemCode)))];
  if (items.length === 0) return { book: new RecipeBook([]), rules: new Map() };
  const book = await menuRecipeBook(db);
  return { book, rules: await ingredientRules(db, book, items) };
}

/**
 * Tells a store's managers about unmapped items sold today — once per item and day (the alert
 * key is claimed first, so two documents at once send one message).
 */
export async function alertUnmappedSales(
  db: Db,
  timezone: string,
  storeCode: string,
  lines: Pick<SaleLineRow, 'itemCode' | 'itemName' | 'quantity' | 'unmapped' | 'unknownModifiers'>[],
  now: Date,
): Promise<void> {
  const unmapped = lines.filter((l) => l.unmapped);
  if (unmapped.length === 0) return;
  const day = chainDate(now, timezone);
  await db.$transaction(async (tx) => {
    const items = [...new Set(unmapped.map((l) => l.itemCode))];
    const claimed = await tx.$queryRaw<{ item_code: string }[]>`
      INSERT INTO stock_unmapped_alert (store_code, item_code, day, sent_at)
      SELECT ${storeCode}, item, ${day}, ${now} FROM unnest(${items}::text[]) AS item
      ON CONFLICT DO NOTHING RETURNING item_code`;
    if (claimed.length === 0) return;
    const names = new Map((await tx.menuItem.findMany({ where: { code: { in: items } }, select: { code: true, name: true } })).map((m) => [m.code, m.name]));
    const store = await tx.store.findUniqueOrThrow({ where: { code: storeCode } });
    const described = claimed.map(({ item_code: code }) => {
      const of = unmapped.filter((l) => l.itemCode === code);
      const sold = of.reduce((sum, l) => sum.plus(l.quantity), new Prisma.Decimal(0));
      const name = names.get(code) ?? of.find((l) => l.itemName)?.itemName ?? code;
      const modifiers = [...new Set(of.flatMap((l) => l.unknownModifiers))];
      const why = of.some((l) => l.unmapped === 'no_recipe') ? '没有配方' : `配方里没有加料/规格「${modifiers.join('、')}」`;
      return `· ${name}（${code}）${format(sold)} 份：${why}`;
    });
    const content = [
      `【未映射的销售】${store.name}`,
      '收银系统卖出了下面的菜品，原料没有扣减：',
      ...described,
      '总部补上菜单和配方（npm run admin -- import recipes …）后，这些销售会自动补扣原料。',
    ].join('\n');
    const managers = await nearestManagerIds(tx, storeCode);
    await enqueue(
      tx,
      managers.map((to) => ({ to, content: text(content), idempotencyKey: `stock.unmapped:${storeCode}:${day}:${claimed.map((c) => c.item_code).join(',')}:${to}` })),
      now,
    );
  });
}

/** How many unmapped lines one run of the job books at most; the next run takes the rest. */
const MAPPING_BATCH = 500;

/**
 * `stock.bookUnmappedSales`: unmapped sale lines whose item has a recipe (and modifiers) by now
 * are booked — by the version valid when they were sold, at the time the till recorded them, so
 * a late mapping is not a late entry. A line is tried again only when a recipe version of its
 * item was imported after it was last tried, so lines that still cannot be mapped do not crowd
 * out the rest. Rows are claimed with SKIP LOCKED: replicas share the work.
 */
export async function bookUnmappedSales(db: Db, config: AfterMoveConfig, now: Date): Promise<number> {
  return db.$transaction(
    async (tx) => {
      const lines = await tx.$queryRaw<{ id: bigint }[]>`
        SELECT l.id FROM stock_sale_line l
        WHERE l.unmapped IS NOT NULL AND EXISTS (
          SELECT 1 FROM recipe r WHERE r.kind = 'menu' AND r.product = l.item_code AND r.scope IN (l.store_code, ${CHAIN_RECIPE})
            AND r.valid_from <= l.sold_at AND r.created_at >= l.checked_at)
        ORDER BY l.id LIMIT ${MAPPING_BATCH} FOR UPDATE OF l SKIP LOCKED`;
      if (lines.length === 0) return 0;
      const rows = await tx.stockSaleLine.findMany({ where: { id: { in: lines.map((l) => l.id) } }, orderBy: { id: 'asc' } });
      const book = await loadRecipeBook(tx, 'menu', [...new Set(rows.map((r) => r.itemCode))], [...new Set(rows.map((r) => r.storeCode))]);
      const rules = await ingredientRules(tx, book);
      const moves: NewMove[] = [];
      let mapped = 0;
      for (const row of rows) {
        const version = book.versionFor(row.itemCode, row.storeCode, row.soldAt);
        const consumption = version && consumptionOf(version, row.modifiers);
        if (!consumption?.ok) {
          await tx.stockSaleLine.update({ where: { id: row.id }, data: { checkedAt: now, ...(consumption ? { unmapped: 'unknown_modifier', unknownModifiers: consumption.unknownModifiers } : {}) } });
          continue;
        }
        moves.push(...ingredientMoves({ ...row, quantity: row.quantity.toNumber() }, consumption.use, row.receivedAt));
        await tx.stockSaleLine.update({ where: { id: row.id }, data: { recipeId: version!.id, unmapped: null, unknownModifiers: [], checkedAt: now, bookedAt: now } });
        mapped += 1;
      }
      await bookMoves(tx, config, moves, rules, now);
      return mapped;
    },
    { timeout: 120_000, maxWait: 15_000 },
  );
}
