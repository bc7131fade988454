import { z } from 'zod';
import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { SyncRequest, SyncOutcome } from '../../bot/registry';
import type { DbTx } from '../../db';
import type { Prisma } from '../../generated/prisma/client';
import { templateCard } from '../../platform/outbound';
import { bookMove } from './booking';
import { deliveryUndoneOnce, reopenedAdvice } from './delivery-matching';
import { format } from './ledger';
import { managesStore } from '../../people';
import { STOCK_ERRORS } from './keys';

/**
 * Advance delivery notices (`POST /api/sync/deliveries`): the ERP/WMS says what a store will
 * receive and when; a receipt booked in chat, by scan or by an ERP/WMS receipt document fills
 * the matching lines, and a delivery nobody books in time is chased (late-deliveries.ts).
 */

const lineSchema = z.object({
  sku: z.string().trim().min(1, '缺少商品编码'),
  quantity: z.number({ message: '数量须是数字' }).positive('数量须大于 0'),
  /** The SKU's base unit when absent. */
  unit: z.string().trim().min(1).optional(),
});

const deliverySchema = z.object({
  id: z.string().trim().min(1, '缺少到货单号').max(100, '到货单号最长 100 个字符'),
  store: z.string().trim().min(1, '缺少门店编码'),
  expected_at: z.iso.datetime({ offset: true, message: '预计到货时间须是带时区的 ISO 时间，例如 2026-11-25T10:00:00+08:00' }),
  // Lines are checked one by one (below), so one bad line does not hide the others' problems.
  lines: z.array(z.unknown()).min(1, '到货单至少要有一行').max(500, '一张到货单最多 500 行'),
});

type DeliveryDoc = z.infer<typeof deliverySchema>;
interface NormalLine {
  lineNo: number;
  skuCode: string;
  quantity: number;
  unitQuantity: number;
  unit: string;
}

/**
 * The sync handler: a JSON array of notices. Every notice is checked (fields, store, SKU, unit,
 * duplicate ids) and every problem listed; only a body without problems is written, in one
 * transaction. The same notice again changes nothing; a changed one replaces it while none of
 * it is booked.
 */
export async function syncDeliveries(request: SyncRequest): Promise<SyncOutcome> {
  const problems: { line: number; message: string }[] = [];
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return { accepted: false, problems: [{ line: 0, message: '请求体不是 JSON' }] };
  }
  if (!Array.isArray(body)) return { accepted: false, problems: [{ line: 0, message: '请求体须是到货单的 JSON 数组' }] };
  if (body.length === 0) return { accepted: false, problems: [{ line: 0, message: '数组里没有到货单' }] };

  const { db } = request;
  const stores = new Set((await db.store.findMany({ select: { code: true } })).map((s) => s.code));
  const skus = new Map((await db.sku.findMany({ select: { code: true, baseUnit: true, packUnits: true } })).map((s) => [s.code, s]));
  const seen = new Map<string, number>();
  const docs: { line: number; doc: DeliveryDoc; lines: NormalLine[] }[] = [];
  body.forEach((raw, index) => {
    const line = index + 1;
    const parsed = deliverySchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ line, message: `${issue.path.join('.') || '到货单'}: ${issue.message}` });
    }
    const rawLines = Array.isArray((raw as { lines?: unknown })?.lines) ? (raw as { lines: unknown[] }).lines : [];
    const lines: NormalLine[] = [];
    rawLines.forEach((rawLine, i) => {
      const l = lineSchema.safeParse(rawLine);
      if (!l.success) return l.error.issues.forEach((issue) => problems.push({ line, message: `lines.${i}.${issue.path.join('.')}: ${issue.message}` }));
      const sku = skus.get(l.data.sku);
      if (!sku) return problems.push({ line, message: `lines.${i}.sku: 没有商品 ${l.data.sku}` });
      const packs = sku.packUnits as { unit: string; factor: number }[];
      const unit = l.data.unit ?? sku.baseUnit;
      const factor = unit === sku.baseUnit ? 1 : packs.find((p) => p.unit === unit)?.factor;
      if (factor === undefined) return problems.push({ line, message: `lines.${i}.unit: 商品 ${l.data.sku} 没有单位「${unit}」（可用：${[sku.baseUnit, ...packs.map((p) => p.unit)].join('、')}）` });
      lines.push({ lineNo: i + 1, skuCode: l.data.sku, quantity: l.data.quantity * factor, unitQuantity: l.data.quantity, unit });
    });
    const storeCode = (raw as { store?: unknown })?.store;
    if (typeof storeCode === 'string' && storeCode.trim() && !stores.has(storeCode.trim())) problems.push({ line, message: `store: 没有门店 ${storeCode}` });
    if (!parsed.success) return;
    const doc = parsed.data;
    const earlier = seen.get(doc.id);
    if (earlier !== undefined) problems.push({ line, message: `到货单 ${doc.id} 与第 ${earlier} 张重复` });
    seen.set(doc.id, line);
    docs.push({ line, doc, lines });
  });
  if (problems.length > 0) return { accepted: false, problems };

  const now = request.clock.now();
  const outcome = await db
    .$transaction(async (tx) => {
      let created = 0;
      let updated = 0;
      let unchanged = 0;
      const refused: { line: number; message: string }[] = [];
      for (const { line, doc, lines } of docs) {
        const expectedAt = new Date(doc.expected_at);
        // Locked, so a receipt filling it and a revised notice do not cross.
        const [existing] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM stock_delivery WHERE id = ${doc.id} FOR UPDATE`;
        if (!existing) {
          await tx.stockDelivery.create({ data: { id: doc.id, source: request.source, storeCode: doc.store, expectedAt, createdAt: now, updatedAt: now, lines: { create: lines } } });
          created++;
          continue;
        }
        const stored = await tx.stockDelivery.findUniqueOrThrow({ where: { id: doc.id }, include: { lines: { orderBy: { lineNo: 'asc' } } } });
        if (stored.source !== request.source) {
          refused.push({ line, message: `到货单号 ${doc.id} 已被来源 ${stored.source} 使用` });
          continue;
        }
        const same =
          stored.storeCode === doc.store &&
          stored.expectedAt.getTime() === expectedAt.getTime() &&
          stored.lines.length === lines.length &&
          stored.lines.every((s, i) => s.skuCode === lines[i].skuCode && s.quantity.equals(lines[i].quantity) && s.unit === lines[i].unit && s.unitQuantity.equals(lines[i].unitQuantity));
        if (same) {
          unchanged++;
          continue;
        }
        if (stored.lines.some((l) => l.bookedQuantity.greaterThan(0))) {
          refused.push({ line, message: `到货单 ${doc.id} 已开始入库，不能再修改` });
          continue;
        }
        await tx.stockDeliveryLine.deleteMany({ where: { deliveryId: doc.id } });
        await tx.stockDelivery.update({ where: { id: doc.id }, data: { storeCode: doc.store, expectedAt, updatedAt: now, lateAt: null, lines: { create: lines } } });
        updated++;
      }
      // Nothing half-written: a refused notice rolls back the whole body.
      if (refused.length > 0) throw new RefusedDocuments(refused);
      return { created, updated, unchanged };
    })
    .catch((err) => {
      if (err instanceof RefusedDocuments) return err;
      throw err;
    });
  if (outcome instanceof RefusedDocuments) return { accepted: false, problems: outcome.problems };
  request.log.info({ source: request.source, rows: docs.length, ...outcome }, 'delivery notices synced');
  return { accepted: true, result: { kind: 'deliveries', rows: docs.length, ...outcome } };
}

class RefusedDocuments extends Error {
  constructor(readonly problems: { line: number; message: string }[]) {
    super('delivery notices refused');
  }
}

/** The deliveries an undo left open (unfillDeliveriesOfReversal has run), with what each still misses. */
export async function deliveriesReopenedBy(db: DbTx, reversalId: bigint): Promise<UnbookedDelivery[]> {
  const matches = await db.stockDeliveryMatch.findMany({ where: { moveId: reversalId }, select: { lineId: true } });
  if (matches.length === 0) return [];
  const lines = await db.stockDeliveryLine.findMany({ where: { id: { in: matches.map((m) => m.lineId) } }, select: { deliveryId: true } });
  const ids = [...new Set(lines.map((l) => l.deliveryId))];
  return openDeliveries(db, { id: { in: ids }, bookedAt: null });
}

/**
 * The `入库` button on a late-delivery nudge: books what is still missing of every line as
 * receipts, in one transaction, keyed by the tap — a second tap finds nothing missing.
 */
export async function bookDeliveryFromCard(ctx: BotContext): Promise<void> {
  const deliveryId = ctx.keyArg;
  await ctx.transaction(async (tx) => {
    const [locked] = await tx.db.$queryRaw<{ id: string }[]>`SELECT id FROM stock_delivery WHERE id = ${deliveryId} FOR UPDATE`;
    if (!locked) throw new UserFacingError(STOCK_ERRORS.unknownDelivery, `找不到到货单 ${deliveryId}。`);
    const delivery = await tx.db.stockDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { lines: { orderBy: { lineNo: 'asc' } } } });
    const mine = ctx.staff?.storeCode === delivery.storeCode || (await managesStore(tx.db, { userid: ctx.message.fromUser }, delivery.storeCode));
    if (!mine) throw new UserFacingError(STOCK_ERRORS.notYourStore, '这张到货单不是你们门店的。');
    if (delivery.bookedAt) {
      await tx.updateCard({ replaceName: '已入库' });
      await tx.reply(`到货单 ${delivery.id} 已经入库了。`);
      return;
    }
    // A card sent before someone undid a receipt of this delivery: its numbers were not what arrived.
    if (await deliveryUndoneOnce(tx.db, delivery.id)) {
      const first = delivery.lines.find((l) => l.bookedQuantity.lessThan(l.quantity)) ?? delivery.lines[0];
      const sku = await tx.db.sku.findUniqueOrThrow({ where: { code: first.skuCode } });
      await tx.updateCard({ replaceName: '请按实收数量入库' });
      await tx.reply(`到货单 ${delivery.id} 的入库被撤销过，不能一键按到货单入库。${reopenedAdvice(sku.name)}`);
      return;
    }
    const now = ctx.clock.now();
    const skus = new Map((await tx.db.sku.findMany({ where: { code: { in: delivery.lines.map((l) => l.skuCode) } } })).map((s) => [s.code, s]));
    const booked: string[] = [];
    for (const line of delivery.lines) {
      const missing = line.quantity.minus(line.bookedQuantity);
      if (!missing.greaterThan(0)) continue;
      const sku = skus.get(line.skuCode)!;
      // Naming the delivery, the receipt fills its open lines of the SKU, the earliest line first: this one.
      const move = await bookMove(
        tx.db,
        ctx.config,
        {
          storeCode: delivery.storeCode,
          skuCode: line.skuCode,
          kind: 'receipt',
          quantity: missing.toNumber(),
          reason: `到货单 ${delivery.id}`,
          staffUserid: ctx.message.fromUser,
          occurredAt: now,
          recordedAt: now,
          source: 'chat',
          externalId: `delivery:${delivery.id}:${line.lineNo}:in:${ctx.message.id}`,
          delivery: delivery.id,
        },
        sku,
      );
      booked.push(`${sku.name} ${format(missing)}${sku.baseUnit}（现有 ${format(move.onHand)}${sku.baseUnit}）`);
    }
    await tx.updateCard({ replaceName: '已入库' });
    await tx.reply(
      templateCard({
        card_type: 'text_notice',
        main_title: { title: `已入库 到货单 ${delivery.id}`.slice(0, 36), desc: `${booked.length} 行` },
        sub_title_text: booked.join('\n'),
      }),
    );
  });
}

export interface UnbookedDelivery {
  id: string;
  expectedAt: Date;
  lines: { skuCode: string; skuName: string; missing: number; unit: string }[];
}

/**
 * Deliveries of a store that should have arrived by `now` and are not fully booked — what a
 * count must wait for (a count against a book missing a delivery would show false variances).
 */
export async function receivedUnbookedDeliveries(db: DbTx, storeCode: string, now: Date): Promise<UnbookedDelivery[]> {
  return openDeliveries(db, { storeCode, bookedAt: null, expectedAt: { lte: now } });
}

async function openDeliveries(db: DbTx, where: Prisma.StockDeliveryWhereInput): Promise<UnbookedDelivery[]> {
  const deliveries = await db.stockDelivery.findMany({ where, include: { lines: { orderBy: { lineNo: 'asc' } } }, orderBy: [{ expectedAt: 'asc' }, { id: 'asc' }] });
  const skus = new Map((await db.sku.findMany({ where: { code: { in: deliveries.flatMap((d) => d.lines.map((l) => l.skuCode)) } } })).map((s) => [s.code, s]));
  return deliveries.map((d) => ({
    id: d.id,
    expectedAt: d.expectedAt,
    lines: d.lines
      .filter((l) => l.bookedQuantity.lessThan(l.quantity))
      .map((l) => ({ skuCode: l.skuCode, skuName: skus.get(l.skuCode)?.name ?? l.skuCode, missing: l.quantity.minus(l.bookedQuantity).toNumber(), unit: skus.get(l.skuCode)?.baseUnit ?? '' })),
  }));
}

/** What a count must wait for (see count-commands.ts, COUNT_PRECONDITIONS): each arrived, unbooked delivery, named. */
export async function deliveriesArrivedUnbooked(db: DbTx, storeCode: string, now: Date): Promise<string[]> {
  const problems: string[] = [];
  for (const d of await receivedUnbookedDeliveries(db, storeCode, now)) {
    const first = d.lines[0]?.skuName ?? '商品';
    // One someone un-booked may not have come at all: booking its figures could book goods twice or that never came.
    const advice = (await deliveryUndoneOnce(db, d.id)) ? `入库被撤销过。${reopenedAdvice(first)}` : `发「入库 ${first} 数量」补上`;
    problems.push(`到货单 ${d.id} 已到货还没入库：${d.lines.map((l) => `${l.skuName} ${format(l.missing)}${l.unit}`).join('、')}（${advice}）`);
  }
  return problems;
}
