import { z } from 'zod';
import type { SyncHandler } from '../../bot/registry';
import { bookMoves } from './booking';
import type { NewMove } from './ledger';
import { alertUnmappedSales, explodeSoldItems, recipesForSales, writeSaleLines, type SoldItem } from './recipes/sales';

/**
 * POS sales and ERP/WMS receipts through the signed sync API (POST /api/sync/sales,
 * /api/sync/receipts): a JSON array of documents, each with the source's own id. Every document
 * is checked first — a 400 lists every problem and books nothing; then each document is booked
 * in one transaction, all its lines or none, and a document id the source posted before is
 * skipped, so a retried post books nothing twice.
 *
 * A receipt fills the advance delivery notices it delivers (delivery-matching.ts, run by booking), in its transaction:
 * the notice it names in `delivery` (which must exist and be its store's), else by the window rule
 * a chat receipt follows — so the late-delivery chase never nudges staff for goods the ERP booked.
 *
 * A sales line names a SKU (sold as it is) or a menu item with its modifiers, which consumes
 * ingredients by its recipe (recipes/sales.ts), in the same transaction as the rest of the document.
 */
export type MoveDocument = 'sales' | 'receipts';

const MAX_LINES = 2000;

const line = z.object({
  sku: z.string().trim().min(1).optional(),
  barcode: z.string().trim().min(1).optional(),
  /** Sales: the menu item's code at the till, instead of a SKU. */
  item: z.string({ error: '菜品编码 item 须是字符串' }).trim().min(1, '菜品编码 item 不能为空').max(48).optional(),
  name: z.string({ error: '菜品名称 name 须是字符串' }).trim().max(100).optional(),
  modifiers: z
    .array(z.string({ error: '加料/规格 modifiers 须是字符串数组' }).trim().min(1, '加料/规格不能为空').max(32), { error: '加料/规格 modifiers 须是字符串数组' })
    .max(20)
    .optional(),
  amount: z.number({ error: '金额 amount 必须是数字' }).optional(),
  /** A refund: when the item was sold, so its ingredients come back by the recipe they went out by. */
  sold_at: z.iso.datetime({ offset: true, error: 'sold_at 应为带时区的 ISO 时间' }).optional(),
  quantity: z.number({ error: '数量 quantity 必须是数字' }),
  unit: z.string().trim().min(1).optional(),
  /** Receipts: the day the line's batch expires (chain-local); without it the SKU's shelf life decides. */
  expires_on: z.iso.date({ error: 'expires_on 应为日期，如 2026-12-20' }).optional(),
});

const headerSchema = z.object({
  id: z.string({ error: '缺少单据号 id' }).trim().min(1, '缺少单据号 id').max(128, '单据号太长（最多 128 字）'),
  store: z.string({ error: '缺少门店编码 store' }).trim().min(1, '缺少门店编码 store'),
  occurred_at: z.iso.datetime({ offset: true, error: 'occurred_at 应为带时区的 ISO 时间，如 2026-11-25T10:02:00+08:00' }),
  /** Receipts: the id of the advance delivery notice this receipt delivers. */
  delivery: z.string({ error: '到货单号 delivery 须是字符串' }).trim().min(1, '到货单号 delivery 不能为空').max(100).optional(),
});
type MoveDocumentBody = z.infer<typeof headerSchema> & { lines: z.infer<typeof line>[] };

interface ResolvedLine {
  /** 1-based, in the document. */
  line: number;
  skuCode: string;
  baseUnit: string;
  baseQuantity: number;
  expiresOn?: string;
}

export function syncMoves(document: MoveDocument): SyncHandler {
  return async ({ db, body, source, clock, config, log }) => {
    const problems: { line: number; message: string }[] = [];
    const seen = new Map<string, number>();
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch (err) {
      return { accepted: false, problems: [{ line: 1, message: `不是有效的 JSON：${(err as Error).message}` }] };
    }
    if (!Array.isArray(data)) return { accepted: false, problems: [{ line: 1, message: 'JSON 应该是一个数组，每个元素是一张单据' }] };

    // Header and lines are checked apart, so a document with a bad date still has its lines checked.
    const parsed: { line: number; doc: MoveDocumentBody }[] = [];
    const partial: { line: number; store?: string; lines: z.infer<typeof line>[]; valid: boolean }[] = [];
    const report = (at: number, issues: z.core.$ZodIssue[], prefix = '') => {
      for (const issue of issues) problems.push({ line: at, message: issue.path.length || prefix ? `${[prefix, ...issue.path].filter((p) => p !== '').join('.')}: ${issue.message}` : issue.message });
    };
    data.forEach((raw, i) => {
      const at = i + 1;
      const header = headerSchema.safeParse(raw);
      if (!header.success) report(at, header.error.issues);
      const rawLines = (raw as { lines?: unknown } | null)?.lines;
      const lines: z.infer<typeof line>[] = [];
      let linesValid = true;
      if (!Array.isArray(rawLines) || rawLines.length === 0 || rawLines.length > MAX_LINES) {
        linesValid = false;
        problems.push({ line: at, message: `lines: ${Array.isArray(rawLines) && rawLines.length > MAX_LINES ? `一张单据最多 ${MAX_LINES} 行明细` : '明细 lines 不能为空'}` });
      } else {
        rawLines.forEach((l, j) => {
          const result = line.safeParse(l);
          if (result.success) lines.push(result.data);
          else {
            linesValid = false;
            report(at, result.error.issues, `lines.${j}`);
          }
        });
      }
      const store = typeof (raw as { store?: unknown } | null)?.store === 'string' ? (raw as { store: string }).store.trim() : undefined;
      partial.push({ line: at, store, lines, valid: header.success && linesValid });
      if (header.success && linesValid) parsed.push({ line: at, doc: { ...header.data, lines } });
      if (header.success) {
        const earlier = seen.get(header.data.id);
        if (earlier) problems.push({ line: at, message: `单据 ${header.data.id} 与第 ${earlier} 张重复` });
        else seen.set(header.data.id, at);
      }
    });

    // References, for every document, so one answer lists everything.
    const stores = new Set((await db.store.findMany({ where: { code: { in: partial.flatMap((p) => (p.store ? [p.store] : [])) } }, select: { code: true } })).map((s) => s.code));
    const codes = partial.flatMap((p) => p.lines.map((l) => l.sku).filter((c): c is string => Boolean(c)));
    const barcodes = partial.flatMap((p) => p.lines.map((l) => l.barcode).filter((c): c is string => Boolean(c)));
    const skus = new Map((await db.sku.findMany({ where: { code: { in: codes } } })).map((s) => [s.code, s]));
    const byBarcode = new Map((await db.skuBarcode.findMany({ where: { barcode: { in: barcodes } }, include: { sku: true } })).map((b) => [b.barcode, b]));
    const named = parsed.flatMap((p) => (p.doc.delivery ? [p.doc.delivery] : []));
    const deliveries = new Map((await db.stockDelivery.findMany({ where: { id: { in: named } }, select: { id: true, storeCode: true } })).map((d) => [d.id, d]));
    for (const { line: at, doc } of parsed) {
      if (!doc.delivery) continue;
      if (document !== 'receipts') problems.push({ line: at, message: 'delivery: 只有入库单 receipts 可以引用到货单' });
      else if (!deliveries.has(doc.delivery)) problems.push({ line: at, message: `delivery: 到货单 ${doc.delivery} 不存在` });
      else if (deliveries.get(doc.delivery)!.storeCode !== doc.store)
        problems.push({ line: at, message: `delivery: 到货单 ${doc.delivery} 是门店 ${deliveries.get(doc.delivery)!.storeCode} 的，不是 ${doc.store} 的` });
    }
    const resolved = new Map<number, ResolvedLine[]>();
    const soldItems = new Map<number, SoldItem[]>();
    for (const { line: at, store, lines: docLines } of partial) {
      if (store && !stores.has(store)) problems.push({ line: at, message: `门店 ${store} 不存在` });
      const lines: ResolvedLine[] = [];
      const items: SoldItem[] = [];
      docLines.forEach((l, j) => {
        const where = `lines.${j}`;
        if (l.item) {
          if (document !== 'sales') return problems.push({ line: at, message: `${where}: 只有销售单 sales 可以写菜品 item` });
          if (l.sku || l.barcode || l.unit) return problems.push({ line: at, message: `${where}: 菜品 item 与商品 sku、条码 barcode、单位 unit 只能写一种` });
          if (l.expires_on) return problems.push({ line: at, message: `${where}: 只有入库单 receipts 的明细可以带效期 expires_on` });
          if (l.quantity === 0) return problems.push({ line: at, message: `${where}: 数量不能为 0（退款用负数）` });
          items.push({ line: j + 1, itemCode: l.item, itemName: l.name, modifiers: l.modifiers ?? [], quantity: l.quantity, amount: l.amount, soldAt: l.sold_at ? new Date(l.sold_at) : undefined });
          return;
        }
        if (l.modifiers || l.sold_at || l.name) return problems.push({ line: at, message: `${where}: 加料/规格 modifiers、名称 name、sold_at 只用于菜品 item` });
        const fromBarcode = l.barcode ? byBarcode.get(l.barcode) : undefined;
        const sku = l.sku ? skus.get(l.sku) : fromBarcode?.sku;
        if (!l.sku && !l.barcode) return problems.push({ line: at, message: `${where}: 缺少商品编码 sku 或条码 barcode` });
        if (!sku) return problems.push({ line: at, message: `${where}: ${l.sku ? `商品 ${l.sku}` : `条码 ${l.barcode}`} 不存在` });
        if (l.sku && l.barcode && fromBarcode?.skuCode !== l.sku) return problems.push({ line: at, message: `${where}: 条码 ${l.barcode} 不属于商品 ${l.sku}` });
        const unit = l.unit ?? fromBarcode?.unit ?? sku.baseUnit;
        const packs = sku.packUnits as { unit: string; factor: number }[];
        const factor = unit === sku.baseUnit ? 1 : packs.find((p) => p.unit === unit)?.factor;
        if (factor === undefined) return problems.push({ line: at, message: `${where}: 商品 ${sku.code} 没有单位「${unit}」（可用：${[sku.baseUnit, ...packs.map((p) => p.unit)].join('、')}）` });
        if (document === 'receipts' ? !(l.quantity > 0) : l.quantity === 0) {
          return problems.push({ line: at, message: `${where}: 数量${document === 'receipts' ? '必须大于 0' : '不能为 0（退货用负数）'}` });
        }
        if (l.expires_on && document !== 'receipts') return problems.push({ line: at, message: `${where}: 只有入库单 receipts 的明细可以带效期 expires_on` });
        lines.push({ line: j + 1, skuCode: sku.code, baseUnit: sku.baseUnit, baseQuantity: l.quantity * factor, expiresOn: l.expires_on });
      });
      resolved.set(at, lines);
      soldItems.set(at, items);
    }
    if (problems.length > 0) return { accepted: false, problems: problems.sort((a, b) => a.line - b.line) };
    const recipes = await recipesForSales(
      db,
      parsed.map(({ line: at }) => ({ items: soldItems.get(at)! })),
    );

    const now = clock.now();
    const duplicates: string[] = [];
    let moves = 0;
    let unmapped = 0;
    for (const { line: at, doc } of parsed) {
      const booked = await db.$transaction(
        async (tx) => {
          // The document's key decides: a post racing its own retry books it once.
          const fresh = await tx.$executeRaw`
          INSERT INTO stock_sync_document (source, document, document_id, store_code, lines, received_at)
          VALUES (${source}, ${document}, ${doc.id}, ${doc.store}, ${doc.lines.length}, ${now}) ON CONFLICT DO NOTHING`;
          if (fresh !== 1) return null;
          const lines = resolved.get(at)!;
          const moves: NewMove[] = lines.map((l) => ({
            storeCode: doc.store,
            skuCode: l.skuCode,
            kind: document === 'sales' ? 'sale' : 'receipt',
            quantity: document === 'sales' ? -l.baseQuantity : l.baseQuantity,
            occurredAt: new Date(doc.occurred_at),
            recordedAt: now,
            source: document === 'sales' ? 'pos' : source === 'wms' ? 'wms' : 'erp',
            externalId: `${source}:${document}:${doc.id}:${l.line}`,
            delivery: doc.delivery,
            expiresOn: l.expiresOn,
          }));
          const sold = explodeSoldItems({ source, documentId: doc.id, storeCode: doc.store, occurredAt: new Date(doc.occurred_at), recordedAt: now }, soldItems.get(at)!, recipes.book);
          await writeSaleLines(tx, sold.saleLines);
          // What the till sold has left the shop: a sale is recorded even if the book says otherwise.
          const rules = new Map([...recipes.rules, ...lines.map((l) => [l.skuCode, { baseUnit: l.baseUnit, allowNegative: true }] as const)]);
          await bookMoves(tx, config, [...moves, ...sold.moves], rules, now);
          return { moves: moves.length + sold.moves.length, saleLines: sold.saleLines };
        },
        { timeout: 120_000, maxWait: 15_000 },
      );
      if (!booked) {
        duplicates.push(doc.id);
        continue;
      }
      moves += booked.moves;
      unmapped += booked.saleLines.filter((l) => l.unmapped).length;
      await alertUnmappedSales(db, config.timezone, doc.store, booked.saleLines, now);
    }
    log.info({ document, source, documents: parsed.length, duplicates: duplicates.length, moves, unmapped }, 'stock documents synced');
    return {
      accepted: true,
      result: { document, documents: parsed.length, booked: parsed.length - duplicates.length, duplicates, moves, ...(document === 'sales' ? { unmapped } : {}) },
    };
  };
}
