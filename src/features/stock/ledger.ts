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
}

export interface BookedMove {
  id: bigint;
  onHand: number;
  /** false when the external id was booked before (a retry): nothing changed. */
  created: boolean;
}

/**
 * Books one move and updates on-hand in the caller's transaction. The balance row is locked
 * first (FOR UPDATE), so concurrent moves of one SKU in one store queue up instead of losing
 * updates; a move that would take stock below zero is refused unless the SKU allows it.
 */
export async function bookMove(tx: DbTx, move: NewMove, unitName: string, allowNegative: boolean): Promise<BookedMove> {
  if (move.externalId) {
    const earlier = await tx.stockMove.findUnique({ where: { externalId: move.externalId } });
    if (earlier) return { id: earlier.id, onHand: await onHand(tx, move.storeCode, move.skuCode), created: false };
  }
  await tx.$executeRaw`INSERT INTO stock_balance (store_code, sku_code, on_hand, updated_at)
    VALUES (${move.storeCode}, ${move.skuCode}, 0, ${move.recordedAt}) ON CONFLICT DO NOTHING`;
  const [balance] = await tx.$queryRaw<{ on_hand: Prisma.Decimal }[]>`
    SELECT on_hand FROM stock_balance WHERE store_code = ${move.storeCode} AND sku_code = ${move.skuCode} FOR UPDATE`;
  const after = new Prisma.Decimal(balance.on_hand).plus(move.quantity);
  if (after.isNegative() && !allowNegative) {
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
