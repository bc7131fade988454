import { Prisma } from '../../generated/prisma/client';
import type { DbTx } from '../../db';
import { UserFacingError } from '../../bot/errors';

export interface NewMove {
  storeCode: string;
  skuCode: string;
  kind: 'receipt' | 'sale' | 'waste' | 'return' | 'transfer_out' | 'transfer_in' | 'count_adjustment' | 'reversal';
  /** Signed, base units. */
  quantity: number;
  reason?: string;
  staffUserid?: string;
  occurredAt: Date;
  recordedAt: Date;
  source: 'chat' | 'scan' | 'pos' | 'erp' | 'wms' | 'count';
  externalId?: string;
  reversesId?: bigint;
  /** The quantity as the person entered it (`2` with `箱`), when a person entered it. */
  enteredQuantity?: number;
  enteredUnit?: string;
  /** A receipt: the advance delivery notice it delivers (an ERP/WMS receipt naming it, a delivery's 入库 button); not stored on the move. */
  delivery?: string;
}

/** The word staff use for each kind of move, in answers that name one. */
export const MOVE_KIND_WORDS: Record<string, string> = {
  receipt: '入库',
  sale: '销售',
  waste: '报损',
  return: '退货',
  transfer_out: '调出',
  transfer_in: '调入',
  count_adjustment: '盘点调整',
  reversal: '撤销',
};

/** `2箱（24盒）` as it was entered, else the base quantity: positive, whichever way the move goes. */
export function enteredQuantityText(move: { quantity: Prisma.Decimal; enteredQuantity: Prisma.Decimal | null; enteredUnit: string | null }, baseUnit: string): string {
  const base = `${format(move.quantity.abs())}${baseUnit}`;
  if (move.enteredQuantity === null || !move.enteredUnit || move.enteredUnit === baseUnit) return base;
  return `${format(move.enteredQuantity)}${move.enteredUnit}（${base}）`;
}

export interface BookedMove {
  id: bigint;
  onHand: number;
  /** false when the external id was booked before (a retry): nothing changed. */
  created: boolean;
}

/** What booking needs of a SKU besides its code. */
export interface SkuBookingRule {
  baseUnit: string;
  allowNegative: boolean;
}

/**
 * Writes one move and updates on-hand in the caller's transaction — the rows only: booking.ts
 * (bookMove) is the one caller, and runs the after-move rules. The balance row is locked
 * first (FOR UPDATE), so concurrent moves of one SKU in one store queue up instead of losing
 * updates; a move that would take stock below zero is refused unless the SKU allows it.
 */
export async function writeMove(tx: DbTx, { delivery: _delivery, ...move }: NewMove, { baseUnit: unitName, allowNegative }: SkuBookingRule): Promise<BookedMove> {
  if (move.externalId) {
    const earlier = await tx.stockMove.findUnique({ where: { externalId: move.externalId } });
    if (earlier) return { id: earlier.id, onHand: await onHand(tx, move.storeCode, move.skuCode), created: false };
  }
  await tx.$executeRaw`INSERT INTO stock_balance (store_code, sku_code, on_hand, updated_at)
    VALUES (${move.storeCode}, ${move.skuCode}, 0, ${move.recordedAt}) ON CONFLICT DO NOTHING`;
  const [balance] = await tx.$queryRaw<{ on_hand: Prisma.Decimal }[]>`
    SELECT on_hand FROM stock_balance WHERE store_code = ${move.storeCode} AND sku_code = ${move.skuCode} FOR UPDATE`;
  const after = new Prisma.Decimal(balance.on_hand).plus(move.quantity);
  // Only a take is refused: a receipt into a store already below zero brings it closer to the shelf.
  if (after.isNegative() && move.quantity < 0 && !allowNegative) {
    throw new UserFacingError('stock.negative', `库存不够：现有 ${format(balance.on_hand)}${unitName}，不能减少 ${format(-move.quantity)}${unitName}。先把漏记的入库补上，或核对数量。`);
  }
  const created = await tx.stockMove.create({ data: { ...move, quantity: move.quantity } });
  await tx.stockBalance.update({
    where: { storeCode_skuCode: { storeCode: move.storeCode, skuCode: move.skuCode } },
    data: { onHand: after, updatedAt: move.recordedAt },
  });
  return { id: created.id, onHand: after.toNumber(), created: true };
}

export async function onHand(tx: DbTx, storeCode: string, skuCode: string): Promise<number> {
  const balance = await tx.stockBalance.findUnique({ where: { storeCode_skuCode: { storeCode, skuCode } } });
  return balance ? balance.onHand.toNumber() : 0;
}

export function format(quantity: Prisma.Decimal | number): string {
  return new Prisma.Decimal(quantity).toDecimalPlaces(3).toString();
}

export interface WrittenMove {
  id: bigint;
  storeCode: string;
  skuCode: string;
  kind: NewMove['kind'];
  occurredAt: Date;
  recordedAt: Date;
  externalId: string | null;
}

/**
 * Writes many moves at once (a synced document, a bulk load) under the same rules as writeMove — the rows
 * only, for booking.ts (bookMoves), which runs the after-move rules on what was written —
 * in a handful of statements whatever their number: moves whose external id is already booked
 * are skipped; the balances are locked in (store, SKU) order, so two batches over the same SKUs
 * queue instead of deadlocking; a batch that would take a SKU that does not allow it below zero
 * is refused as a whole. `skus` gives each SKU's base unit and whether it may go negative.
 */
export async function writeMoves(tx: DbTx, moves: NewMove[], skus: Map<string, SkuBookingRule>, recordedAt: Date): Promise<WrittenMove[]> {
  const ids = moves.flatMap((m) => (m.externalId ? [m.externalId] : []));
  const booked = ids.length ? new Set((await tx.$queryRaw<{ external_id: string }[]>`SELECT external_id FROM stock_move WHERE external_id = ANY(${ids}::text[])`).map((r) => r.external_id)) : new Set<string>();
  const fresh = moves.filter((m) => !m.externalId || !booked.has(m.externalId));
  if (fresh.length === 0) return [];
  const deltas = new Map<string, { storeCode: string; skuCode: string; delta: Prisma.Decimal }>();
  for (const m of fresh) {
    const key = `${m.storeCode}\u0000${m.skuCode}`;
    const entry = deltas.get(key) ?? { storeCode: m.storeCode, skuCode: m.skuCode, delta: new Prisma.Decimal(0) };
    entry.delta = entry.delta.plus(m.quantity);
    deltas.set(key, entry);
  }
  const pairs = [...deltas.values()].sort((a, b) => (a.storeCode === b.storeCode ? (a.skuCode < b.skuCode ? -1 : 1) : a.storeCode < b.storeCode ? -1 : 1));
  const stores = pairs.map((p) => p.storeCode);
  const skuCodes = pairs.map((p) => p.skuCode);
  await tx.$executeRaw`INSERT INTO stock_balance (store_code, sku_code, on_hand, updated_at)
    SELECT s, k, 0, ${recordedAt} FROM unnest(${stores}::text[], ${skuCodes}::text[]) AS v(s, k) ON CONFLICT DO NOTHING`;
  const locked = await tx.$queryRaw<{ store_code: string; sku_code: string; on_hand: string }[]>`
    SELECT b.store_code, b.sku_code, b.on_hand::text FROM stock_balance b JOIN unnest(${stores}::text[], ${skuCodes}::text[]) AS v(s, k) ON b.store_code = v.s AND b.sku_code = v.k
    ORDER BY b.store_code, b.sku_code FOR UPDATE OF b`;
  const current = new Map(locked.map((r) => [`${r.store_code}\u0000${r.sku_code}`, new Prisma.Decimal(r.on_hand)]));
  const after = pairs.map((p) => current.get(`${p.storeCode}\u0000${p.skuCode}`)!.plus(p.delta));
  after.forEach((value, i) => {
    const sku = skus.get(pairs[i].skuCode)!;
    if (value.isNegative() && pairs[i].delta.isNegative() && !sku.allowNegative) {
      const before = current.get(`${pairs[i].storeCode}\u0000${pairs[i].skuCode}`)!;
      throw new UserFacingError('stock.negative', `库存不够：${pairs[i].skuCode} 现有 ${format(before)}${sku.baseUnit}，不能减少 ${format(pairs[i].delta.negated())}${sku.baseUnit}。`);
    }
  });
  // One INSERT from arrays, not a statement with ten parameters per row: a document may hold thousands.
  const column = <T>(pick: (m: NewMove) => T) => fresh.map(pick);
  const inserted = await tx.$queryRaw<{ id: bigint; store_code: string; sku_code: string; kind: NewMove['kind']; occurred_at: Date; recorded_at: Date; external_id: string | null }[]>`INSERT INTO stock_move (store_code, sku_code, kind, quantity, reason, staff_userid, occurred_at, recorded_at, source, external_id, reverses_id)
    SELECT * FROM unnest(${column((m) => m.storeCode)}::text[], ${column((m) => m.skuCode)}::text[], ${column((m) => m.kind)}::text[],
      ${column((m) => String(m.quantity))}::numeric[], ${column((m) => m.reason ?? null)}::text[], ${column((m) => m.staffUserid ?? null)}::text[],
      ${column((m) => m.occurredAt.toISOString())}::timestamptz[], ${column((m) => m.recordedAt.toISOString())}::timestamptz[], ${column((m) => m.source)}::text[],
      ${column((m) => m.externalId ?? null)}::text[], ${column((m) => (m.reversesId === undefined ? null : String(m.reversesId)))}::bigint[])
    RETURNING id, store_code, sku_code, kind, occurred_at, recorded_at, external_id`;
  const values = after.map((v) => v.toString());
  await tx.$executeRaw`UPDATE stock_balance b SET on_hand = v.q, updated_at = ${recordedAt}
    FROM unnest(${stores}::text[], ${skuCodes}::text[], ${values}::numeric[]) AS v(s, k, q) WHERE b.store_code = v.s AND b.sku_code = v.k`;
  return inserted.map((r) => ({ id: r.id, storeCode: r.store_code, skuCode: r.sku_code, kind: r.kind, occurredAt: r.occurred_at, recordedAt: r.recorded_at, externalId: r.external_id }));
}
