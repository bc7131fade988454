import type { JobContext } from '../../bot/context';
import type { Config } from '../../config';
import type { DbTx } from '../../db';
import type { StockMove } from '../../generated/prisma/client';
import { checkSafetyStock } from './alerts';
import { fillDeliveriesFromReceipt, unfillDeliveriesOfReversal } from './deliveries';
import { moveKindText, MOVE_KIND_TEXT } from './ledger';
import { deductPoints } from './points';

/** Kinds whose time of happening is not a person's to report late (undo, count corrections). */
const NOT_LATE_KINDS = new Set(['reversal', 'count_adjustment']);

/**
 * The checks that follow a booked move, in its transaction: a receipt fills the expected
 * deliveries it matches (an undo un-fills them); a move recorded long after it happened is flagged
 * late and costs the store points — except a receipt that filled a delivery, which is measured by
 * the delivery's own deadline; and a drop below safety stock alerts the store manager.
 */
export async function afterMoveBooked(db: DbTx, config: Config, moveId: bigint, now: Date): Promise<void> {
  const move = await db.stockMove.findUniqueOrThrow({ where: { id: moveId } });
  // A receipt booked from a delivery's own card has filled its lines already.
  const filled = move.kind === 'receipt' && !move.externalId?.startsWith('delivery:') ? await fillDeliveriesFromReceipt(db, move, now) : false;
  if (move.kind === 'reversal') await unfillDeliveriesOfReversal(db, move);
  if (!filled) await flagIfLate(db, config, move, now);
  await checkSafetyStock(db, config, move.storeCode, [move.skuCode], now);
}

async function flagIfLate(db: DbTx, config: Config, move: StockMove, now: Date): Promise<void> {
  if (NOT_LATE_KINDS.has(move.kind)) return;
  const minutesLate = Math.floor((move.recordedAt.getTime() - move.occurredAt.getTime()) / 60_000);
  if (minutesLate <= config.stockChecks.lateEntryMinutes) return;
  const flagged = await db.$executeRaw`
    INSERT INTO stock_late_move (move_id, store_code, minutes_late, flagged_at)
    VALUES (${move.id}, ${move.storeCode}, ${minutesLate}, ${now}) ON CONFLICT DO NOTHING`;
  if (flagged === 1) {
    await deductPoints(
      db,
      { storeCode: move.storeCode, points: config.stockChecks.latePoints, reason: `补记晚了 ${Math.round(minutesLate / 6) / 10} 小时：${moveKindText(move.kind)} #${move.id}`, causeKey: `move-late:${move.id}`, occurredAt: move.occurredAt },
      now,
    );
  }
}

export const LATE_SWEEP_SCHEDULE = '*/10 * * * *';
/** How far back the sweep looks for moves recorded late: every run overlaps the last ones. */
const LATE_SWEEP_LOOKBACK_MS = 24 * 3600_000;

/**
 * `stock.flagLateMoves`: flags, in one statement, every move recorded in the last day more than
 * STOCK_LATE_ENTRY_MINUTES after it happened that no path has flagged yet — POS and ERP documents,
 * scans, transfers, whatever booked it — and deducts the store's points for each newly flagged
 * one, with the same rules and cause keys as the check after a chat entry, so nothing counts twice.
 */
export async function flagLateMoves(job: JobContext): Promise<void> {
  const now = job.clock.now();
  const { lateEntryMinutes, latePoints } = job.config.stockChecks;
  const kinds = Object.entries(MOVE_KIND_TEXT);
  const flagged = await job.db.$executeRaw`
    WITH late AS (
      INSERT INTO stock_late_move (move_id, store_code, minutes_late, flagged_at)
      SELECT m.id, m.store_code, FLOOR(EXTRACT(EPOCH FROM (m.recorded_at - m.occurred_at)) / 60)::int, ${now}
      FROM stock_move m
      WHERE m.recorded_at >= ${new Date(now.getTime() - LATE_SWEEP_LOOKBACK_MS)}
        AND m.recorded_at - m.occurred_at > make_interval(mins => ${lateEntryMinutes}::int)
        AND m.kind <> ALL(${[...NOT_LATE_KINDS]}::text[])
        AND NOT EXISTS (SELECT 1 FROM stock_delivery_match x WHERE x.move_id = m.id)
      ON CONFLICT DO NOTHING
      RETURNING move_id, store_code, minutes_late
    )
    INSERT INTO store_points_entry (store_code, points, reason, cause_key, occurred_at, recorded_at)
    SELECT l.store_code, ${-latePoints}::int,
           '补记晚了 ' || trim_scale(round(l.minutes_late / 60.0, 1))::text || ' 小时：'
             || COALESCE((SELECT k.name FROM unnest(${kinds.map((k) => k[0])}::text[], ${kinds.map((k) => k[1])}::text[]) AS k(kind, name) WHERE k.kind = m.kind), m.kind)
             || ' #' || m.id,
           'move-late:' || m.id, m.occurred_at, ${now}
    FROM late l JOIN stock_move m ON m.id = l.move_id
    WHERE ${latePoints}::int > 0
    ON CONFLICT (cause_key) DO NOTHING`;
  if (flagged > 0) job.log.info({ deductions: flagged }, 'late stock moves flagged');
}
