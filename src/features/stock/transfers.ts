import { UserFacingError } from '../../bot/errors';
import type { DbTx } from '../../db';
import type { Sku, StockTransfer } from '../../generated/prisma/client';
import type { AfterMoveConfig } from './after-move';
import { earliestExpiryTaken } from './batches/batches';
import { bookMove } from './booking';
import { format, type BookedMove } from './ledger';
import { STOCK_ERRORS } from './keys';

/**
 * The two legs of a transfer, in the caller's transaction. Sending books transfer_out in the
 * sending store (under its balance lock) and opens the document in transit; receiving, under
 * the transfer's row lock, books transfer_in in the receiving store for what arrived.
 */

export interface TransferToSend {
  fromStore: string;
  toStore: string;
  sku: { code: string; baseUnit: string; allowNegative: boolean };
  /** Positive, base units. */
  baseQuantity: number;
  userid: string;
  occurredAt: Date;
  now: Date;
  source: 'chat' | 'scan';
  /** `chat:<inbound id>`: a retried message sends nothing twice. */
  externalId: string;
  reason: string;
}

/** null when `externalId` was sent before. */
export async function sendTransferLeg(db: DbTx, config: AfterMoveConfig, t: TransferToSend): Promise<{ transfer: StockTransfer; out: BookedMove } | null> {
  const out = await bookMove(
    db,
    config,
    {
      storeCode: t.fromStore,
      skuCode: t.sku.code,
      kind: 'transfer_out',
      quantity: -t.baseQuantity,
      reason: t.reason,
      staffUserid: t.userid,
      occurredAt: t.occurredAt,
      recordedAt: t.now,
      source: t.source,
      externalId: t.externalId,
    },
    t.sku,
  );
  if (!out.created) return null;
  const transfer = await db.stockTransfer.create({
    data: {
      fromStore: t.fromStore,
      toStore: t.toStore,
      skuCode: t.sku.code,
      quantity: t.baseQuantity,
      status: 'in_transit',
      sentBy: t.userid,
      sentAt: t.now,
      outMoveId: out.id,
      externalId: t.externalId,
    },
  });
  return { transfer, out };
}

/**
 * `transfer` must have been read under its row lock (lockTransfer) and be in transit. What did
 * not arrive stays out of both stores' stock and is written on the transfer with its reason.
 */
export async function receiveTransferLeg(
  db: DbTx,
  config: AfterMoveConfig,
  transfer: StockTransfer,
  r: { userid: string; baseQuantity: number; note: string; now: Date },
): Promise<{ sku: Sku; booked: BookedMove | null; short: boolean }> {
  const sku = await db.sku.findUniqueOrThrow({ where: { code: transfer.skuCode } });
  const sent = transfer.quantity.toNumber();
  const unit = sku.baseUnit;
  if (r.baseQuantity > sent) {
    throw new UserFacingError(
      STOCK_ERRORS.transferOverReceived,
      `实收 ${format(r.baseQuantity)}${unit} 比调出的 ${format(sent)}${unit} 多。多出来的请对方再记一笔调拨，这里按调出数量确认或写实收数。`,
    );
  }
  if (r.baseQuantity < 0) throw new UserFacingError(STOCK_ERRORS.quantityOutOfRange, '实收数量不能小于 0。');
  const short = r.baseQuantity < sent;
  if (short && !r.note)
    throw new UserFacingError(
      STOCK_ERRORS.transferNoteMissing,
      `实收比调出的 ${format(sent)}${unit} 少，请写上原因，例如：${format(r.baseQuantity)}${unit} 压坏${format(sent - r.baseQuantity)}${unit}`,
    );
  // The goods keep the expiry they had in the sending store: the soonest of what left it.
  const expiresOn = r.baseQuantity > 0 ? await earliestExpiryTaken(db, transfer.outMoveId) : null;
  const booked =
    r.baseQuantity > 0
      ? await bookMove(
          db,
          config,
          {
            storeCode: transfer.toStore,
            skuCode: transfer.skuCode,
            kind: 'transfer_in',
            quantity: r.baseQuantity,
            reason: short ? `调拨 #${transfer.id} 少收：${r.note}` : `调拨 #${transfer.id}`,
            staffUserid: r.userid,
            occurredAt: r.now,
            recordedAt: r.now,
            source: 'chat',
            externalId: `transfer:${transfer.id}:in`,
            ...(expiresOn ? { expiresOn } : {}),
          },
          sku,
        )
      : null;
  await db.stockTransfer.update({
    where: { id: transfer.id },
    data: { status: 'received', receivedQuantity: r.baseQuantity, differenceNote: short ? r.note : null, receivedBy: r.userid, receivedAt: r.now, inMoveId: booked?.id ?? null },
  });
  return { sku, booked, short };
}

/** Reads a transfer under its row lock: confirmations and the sender's 撤销 queue on it. */
export async function lockTransfer(db: DbTx, where: { id: bigint } | { outMoveId: bigint }): Promise<StockTransfer | null> {
  const rows =
    'id' in where
      ? await db.$queryRaw<{ id: bigint }[]>`SELECT id FROM stock_transfer WHERE id = ${where.id} FOR UPDATE`
      : await db.$queryRaw<{ id: bigint }[]>`SELECT id FROM stock_transfer WHERE out_move_id = ${where.outMoveId} FOR UPDATE`;
  return rows.length ? db.stockTransfer.findUnique({ where: { id: rows[0].id } }) : null;
}
