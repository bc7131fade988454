import type { DbTx } from '../../db';
import { afterMovesBooked, type AfterMoveConfig } from './after-move';
import { writeMove, writeMoves, type BookedMove, type NewMove, type SkuBookingRule } from './ledger';

/**
 * The one way a move enters the ledger. Booking writes the move and its balance (ledger.ts) and
 * runs the after-move rules (after-move.ts: batches and their expiry, delivery filling, late flag and points, safety stock)
 * in the same transaction, whoever books it — a chat message, a scan, a card, a synced
 * document, a transfer, a count or an undo — so no path can forget them and no sweep has to
 * catch up on them.
 */

/** One move, in the caller's transaction; a retried external id books nothing and runs nothing. */
export async function bookMove(tx: DbTx, config: AfterMoveConfig, move: NewMove, sku: SkuBookingRule): Promise<BookedMove> {
  const booked = await writeMove(tx, move, sku);
  if (booked.created) await afterMovesBooked(tx, config, [{ id: booked.id, ...move }], move.recordedAt);
  return booked;
}

/**
 * Many moves (a synced document, a bulk load), set-based: a handful of statements whatever their
 * number, for the rows as for the rules after them. Moves whose external id is already booked are
 * skipped. `skus` gives each SKU's base unit and whether it may go negative.
 */
export async function bookMoves(tx: DbTx, config: AfterMoveConfig, moves: NewMove[], skus: Map<string, SkuBookingRule>, recordedAt: Date): Promise<{ created: number }> {
  const written = await writeMoves(tx, moves, skus, recordedAt);
  if (written.length === 0) return { created: 0 };
  // The notice a receipt delivers and a given expiry are not stored on the move: they come from the input, by external id.
  const given = new Map(moves.flatMap((m) => ((m.delivery || m.expiresOn) && m.externalId ? [[m.externalId, { delivery: m.delivery, expiresOn: m.expiresOn }] as const] : [])));
  await afterMovesBooked(
    tx,
    config,
    written.map((w) => ({ ...w, ...(w.externalId ? given.get(w.externalId) : undefined) })),
    recordedAt,
  );
  return { created: written.length };
}
