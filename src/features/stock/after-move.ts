import type { Config } from '../../config';
import type { DbTx } from '../../db';
import { checkSafetyStockOf } from './alerts';
import { moveBatches } from './batches/batches';
import { fillDeliveriesFromReceipt, unfillDeliveriesOfReversal } from './delivery-matching';
import type { WrittenMove } from './ledger';
import { LEDGER_KINDS, STOCK_KINDS, type LedgerKind } from './move-kinds';

/** What the rules after a move read of the configuration. */
export type AfterMoveConfig = Pick<Config, 'timezone' | 'stockChecks'>;

/**
 * A move just written, as the rules need it; `delivery`: a receipt's advance delivery notice, when
 * it names one; `expiresOn`: a move in's expiry, when one was given.
 */
export type MoveRef = Pick<WrittenMove, 'id' | 'storeCode' | 'skuCode' | 'kind' | 'occurredAt' | 'recordedAt'> & { delivery?: string; expiresOn?: string };

/** Kinds whose time of happening is not a person's to report late (undo, count corrections). */
const NOT_LATE_KINDS = new Set<LedgerKind>(['reversal', 'count_adjustment']);

/**
 * The rules that follow booked moves, in their transaction (booking.ts runs them for every
 * move): a receipt fills the expected deliveries it matches (an undo un-fills them); a move
 * recorded long after it happened is flagged late and costs the store points — except a receipt
 * that filled a delivery, which is measured by the delivery's own deadline; a drop below
 * safety stock alerts the store manager; and the batches (批次) follow: a move in adds one with its
 * expiry, a move out takes from those that expire first, a reversal gives back. Set-based: a
 * document of thousands of lines costs a few statements, plus one per receipt that meets an open
 * delivery line and one per alert.
 */
export async function afterMovesBooked(db: DbTx, config: AfterMoveConfig, moves: MoveRef[], now: Date): Promise<void> {
  await moveBatches(db, config.timezone, moves, now);
  await fillDeliveries(
    db,
    moves.filter((m) => m.kind === 'receipt'),
    now,
  );
  for (const reversal of moves.filter((m) => m.kind === 'reversal')) await unfillDeliveriesOfReversal(db, await db.stockMove.findUniqueOrThrow({ where: { id: reversal.id } }));
  // Whether a move is late is known from its times: the statement runs only when one may be.
  const lateMs = config.stockChecks.lateEntryMinutes * 60_000;
  const late = moves.filter((m) => !NOT_LATE_KINDS.has(m.kind) && m.recordedAt.getTime() - m.occurredAt.getTime() > lateMs);
  if (late.length > 0)
    await flagLateMoves(
      db,
      config,
      late.map((m) => m.id),
      now,
    );
  await checkSafetyStockOf(db, config, moves, now);
}

/** Only receipts of a store and SKU with an open notice line are looked at, so a long receipt with no notice behind it costs one query. */
async function fillDeliveries(db: DbTx, receipts: MoveRef[], now: Date): Promise<void> {
  if (receipts.length === 0) return;
  const open = await db.$queryRaw<{ store_code: string; sku_code: string }[]>`
    SELECT DISTINCT d.store_code, l.sku_code FROM stock_delivery_line l JOIN stock_delivery d ON d.id = l.delivery_id
    JOIN unnest(${receipts.map((m) => m.storeCode)}::text[], ${receipts.map((m) => m.skuCode)}::text[]) AS v(s, k) ON d.store_code = v.s AND l.sku_code = v.k
    WHERE d.booked_at IS NULL AND l.booked_quantity < l.quantity`;
  if (open.length === 0) return;
  const pending = new Set(open.map((r) => `${r.store_code}\u0000${r.sku_code}`));
  const meeting = receipts.filter((m) => pending.has(`${m.storeCode}\u0000${m.skuCode}`));
  const delivery = new Map(meeting.map((m) => [m.id, m.delivery]));
  const rows = await db.stockMove.findMany({ where: { id: { in: meeting.map((m) => m.id) } }, orderBy: { id: 'asc' } });
  for (const move of rows) await fillDeliveriesFromReceipt(db, move, now, delivery.get(move.id));
}

/**
 * Flags, in one statement, each of `moveIds` recorded more than STOCK_LATE_ENTRY_MINUTES after it
 * happened (reversals, count adjustments and receipts that filled a delivery excepted) and
 * deducts the store's points for each; the cause key `move-late:<id>` makes each move count once.
 */
async function flagLateMoves(db: DbTx, config: AfterMoveConfig, moveIds: bigint[], now: Date): Promise<void> {
  const { lateEntryMinutes, latePoints } = config.stockChecks;
  await db.$executeRaw`
    WITH late AS (
      INSERT INTO stock_late_move (move_id, store_code, minutes_late, flagged_at)
      SELECT m.id, m.store_code, FLOOR(EXTRACT(EPOCH FROM (m.recorded_at - m.occurred_at)) / 60)::int, ${now}
      FROM stock_move m
      WHERE m.id = ANY(${moveIds}::bigint[])
        AND m.recorded_at - m.occurred_at > make_interval(mins => ${lateEntryMinutes}::int)
        AND m.kind <> ALL(${[...NOT_LATE_KINDS]}::text[])
        AND NOT EXISTS (SELECT 1 FROM stock_delivery_match x WHERE x.move_id = m.id)
      ON CONFLICT DO NOTHING
      RETURNING move_id, store_code, minutes_late
    )
    INSERT INTO store_points_entry (store_code, points, reason, cause_key, occurred_at, recorded_at)
    SELECT l.store_code, ${-latePoints}::int,
           '补记晚了 ' || trim_scale(round(l.minutes_late / 60.0, 1))::text || ' 小时：'
             || COALESCE((SELECT k.name FROM unnest(${LEDGER_KINDS}::text[], ${LEDGER_KINDS.map((k) => STOCK_KINDS[k].name)}::text[]) AS k(kind, name) WHERE k.kind = m.kind), m.kind)
             || ' #' || m.id,
           'move-late:' || m.id, m.occurred_at, ${now}
    FROM late l JOIN stock_move m ON m.id = l.move_id
    WHERE ${latePoints}::int > 0
    ON CONFLICT (cause_key) DO NOTHING`;
}
