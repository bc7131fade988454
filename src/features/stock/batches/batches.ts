import type { DbTx } from '../../../db';
import { Prisma } from '../../../generated/prisma/client';

/**
 * Batches (批次): what each move in brought into a store, with the day it expires, and how much
 * of it is left. They are derived from the ledger, in the booking's transaction (after-move.ts
 * runs `moveBatches` for every booked move), and written nowhere else; the ledger stays the
 * truth and append-only.
 *
 * - A move in (receipt, transfer_in, production_in, a refund, a count that finds more) adds a
 *   batch: its expiry is the one given (`效期 12月20日`, a synced receipt's `expires_on`, for a
 *   transfer_in the earliest of what its transfer_out took), else the day it happened plus the
 *   SKU's shelf life, else none.
 * - A move out (sale, waste, transfer_out, return, production_out, a count that finds less) takes
 *   from the batches that expire first — those without an expiry last — and records what it took
 *   (stock_batch_take), so that
 * - a reversal gives back what its move took, to the same batches; the reversal of a move in
 *   takes from that move's own batch first.
 * - Afterwards the batches of every SKU touched hold exactly the on-hand (none when it is below
 *   zero): stock sold before its receipt was booked comes out of that receipt's batch (the oldest
 *   expiring first), and stock no batch covers (from before batches were kept, or given back
 *   beyond what was taken) becomes a batch without an expiry.
 *
 * Locking: every statement here runs after writeMoves upserted the balances of the same (store,
 * SKU) pairs, in (store, SKU) order, in this transaction. Those balance row locks are held to the
 * commit, so two documents over the same SKUs already queue there and never touch the same
 * batches at once: no batch update is lost and no second lock order exists to deadlock on. The
 * daily expiry alert only reads batches and writes its own table (stock_batch_alert).
 *
 * Set-based, like the ledger: a document of thousands of lines costs one statement, two more when
 * it holds reversals.
 */

/** What `moveBatches` needs of a booked move: its id and kind; `expiresOn`, when given. */
export interface BatchMove {
  id: bigint;
  kind: string;
  expiresOn?: string;
}

/** The batches follow `moves`, just booked, in their transaction: reversals first, then the moves in and out. */
export async function moveBatches(db: DbTx, timezone: string, moves: BatchMove[], now: Date): Promise<void> {
  if (moves.length === 0) return;
  const reversals = moves.filter((m) => m.kind === 'reversal').map((m) => m.id);
  if (reversals.length > 0) await giveBack(db, reversals);
  await followMoves(db, timezone, moves, now);
}

/**
 * The moves in and out among `moves`, in one statement. Per (store, SKU): the batches with stock
 * left and those the moves in bring (the pool) are laid end to end in the order they are taken —
 * the earliest expiry first, none last, then the oldest — each at (c, c + r). What is to be taken
 * is the pool less the on-hand (never below zero), from the front of that line: each batch gives
 * the part of its span before that point. The moves out, in id order, are laid end to end the same
 * way (a, a + q), and each took the overlap of its span with what each batch gave: what a move out
 * took beyond the batches (stock below zero) is taken from nobody, and what is taken beyond the
 * moves out (stock sold before its receipt was booked, an undone receipt) belongs to no move. A
 * pool short of the on-hand (stock no batch covers) gets a batch without an expiry.
 */
async function followMoves(db: DbTx, timezone: string, moves: BatchMove[], now: Date): Promise<void> {
  const given = moves.filter((m) => m.expiresOn);
  await db.$executeRaw`
    WITH moved AS (
      SELECT m.id, m.store_code, m.sku_code, m.kind, m.quantity, m.occurred_at,
             COALESCE(e.expires_on, (m.occurred_at AT TIME ZONE ${timezone})::date + s.shelf_life_days) AS expires_on
      FROM stock_move m JOIN sku s ON s.code = m.sku_code
      LEFT JOIN unnest(${given.map((m) => m.id)}::bigint[], ${given.map((m) => m.expiresOn!)}::date[]) AS e(id, expires_on) ON e.id = m.id
      WHERE m.id = ANY(${moves.map((m) => m.id)}::bigint[])
    ), pairs AS (
      SELECT DISTINCT store_code, sku_code FROM moved
    ), pool AS (
      SELECT b.id AS batch_id, NULL::bigint AS move_id, b.store_code, b.sku_code, b.expires_on, b.remaining AS r, b.received_at
      FROM stock_batch b JOIN pairs p ON b.store_code = p.store_code AND b.sku_code = p.sku_code
      WHERE b.remaining > 0
      UNION ALL
      SELECT NULL::bigint, id, store_code, sku_code, expires_on, quantity, occurred_at FROM moved WHERE kind <> 'reversal' AND quantity > 0
    ), state AS (
      SELECT t.store_code, t.sku_code, t.pooled - GREATEST(COALESCE(bal.on_hand, 0), 0) AS to_take
      FROM (SELECT p.store_code, p.sku_code, COALESCE(SUM(x.r), 0) AS pooled FROM pairs p LEFT JOIN pool x ON x.store_code = p.store_code AND x.sku_code = p.sku_code GROUP BY 1, 2) t
      LEFT JOIN stock_balance bal ON bal.store_code = t.store_code AND bal.sku_code = t.sku_code
    ), used AS (
      SELECT l.*, GREATEST(0, LEAST(l.c + l.r, s.to_take) - l.c) AS gives
      FROM (SELECT pool.*, SUM(r) OVER (PARTITION BY store_code, sku_code ORDER BY expires_on ASC NULLS LAST, batch_id ASC NULLS LAST, move_id ROWS UNBOUNDED PRECEDING) - r AS c FROM pool) l
      JOIN state s ON s.store_code = l.store_code AND s.sku_code = l.sku_code
    ), outs AS (
      SELECT id, store_code, sku_code, -quantity AS q, SUM(-quantity) OVER (PARTITION BY store_code, sku_code ORDER BY id ROWS UNBOUNDED PRECEDING) + quantity AS a
      FROM moved WHERE kind <> 'reversal' AND quantity < 0
    ), kept AS (
      UPDATE stock_batch b SET remaining = b.remaining - u.gives FROM used u WHERE u.batch_id = b.id AND u.gives > 0
    ), fresh AS (
      INSERT INTO stock_batch (store_code, sku_code, move_id, expires_on, quantity, remaining, received_at)
      SELECT store_code, sku_code, move_id, expires_on, r, r - gives, received_at FROM used WHERE move_id IS NOT NULL ORDER BY move_id
      RETURNING id, move_id
    ), uncovered AS (
      INSERT INTO stock_batch (store_code, sku_code, move_id, expires_on, quantity, remaining, received_at)
      SELECT store_code, sku_code, NULL, NULL, -to_take, -to_take, ${now} FROM state WHERE to_take < 0 ORDER BY store_code, sku_code
    )
    INSERT INTO stock_batch_take (move_id, batch_id, quantity)
    SELECT o.id, COALESCE(u.batch_id, f.id), LEAST(o.a + o.q, u.c + u.gives) - GREATEST(o.a, u.c)
    FROM outs o
    JOIN used u ON u.store_code = o.store_code AND u.sku_code = o.sku_code AND u.gives > 0 AND o.a < u.c + u.gives AND u.c < o.a + o.q
    LEFT JOIN fresh f ON f.move_id = u.move_id`;
}

/**
 * Reversals, before the rest: the undo of a move out gives back what it took to the batches it
 * took it from (recorded as negative takes of the reversal); the undo of a move in takes from that
 * move's own batch first (what it no longer has comes out of the others in followMoves).
 */
async function giveBack(db: DbTx, reversalIds: bigint[]): Promise<void> {
  await db.$executeRaw`
    WITH back AS (
      INSERT INTO stock_batch_take (move_id, batch_id, quantity)
      SELECT r.id, t.batch_id, -t.quantity
      FROM stock_move r JOIN stock_batch_take t ON t.move_id = r.reverses_id
      WHERE r.id = ANY(${reversalIds}::bigint[]) AND r.quantity > 0
      RETURNING batch_id, quantity
    )
    UPDATE stock_batch b SET remaining = b.remaining - k.quantity
    FROM (SELECT batch_id, SUM(quantity) AS quantity FROM back GROUP BY batch_id) k
    WHERE b.id = k.batch_id`;
  await db.$executeRaw`
    WITH undone AS (
      SELECT r.id AS move_id, b.id AS batch_id, LEAST(b.remaining, -r.quantity) AS quantity
      FROM stock_move r JOIN stock_batch b ON b.move_id = r.reverses_id
      WHERE r.id = ANY(${reversalIds}::bigint[]) AND r.quantity < 0 AND b.remaining > 0
    ), taken AS (
      INSERT INTO stock_batch_take (move_id, batch_id, quantity) SELECT move_id, batch_id, quantity FROM undone
    )
    UPDATE stock_batch b SET remaining = b.remaining - u.quantity FROM undone u WHERE b.id = u.batch_id`;
}

/**
 * The earliest expiry of what move `moveId` took (`YYYY-MM-DD`), null when none of it had one: what
 * a transfer brings into the receiving store expires no later than the soonest of what was sent.
 */
export async function earliestExpiryTaken(db: DbTx, moveId: bigint): Promise<string | null> {
  const [row] = await db.$queryRaw<{ expires_on: string | null }[]>`
    SELECT to_char(MIN(b.expires_on), 'YYYY-MM-DD') AS expires_on
    FROM stock_batch_take t JOIN stock_batch b ON b.id = t.batch_id
    WHERE t.move_id = ${moveId} AND t.quantity > 0`;
  return row?.expires_on ?? null;
}

/** A batch with stock left, for lists and answers. */
export interface OpenBatch {
  id: bigint;
  skuCode: string;
  skuName: string;
  baseUnit: string;
  /** `YYYY-MM-DD`. */
  expiresOn: string;
  remaining: Prisma.Decimal;
}

/** A store's batches with stock left that expire on or before `until` (`YYYY-MM-DD`), the soonest first. */
export async function expiringBatches(db: DbTx, storeCode: string, until: string): Promise<OpenBatch[]> {
  const rows = await db.$queryRaw<{ id: bigint; sku_code: string; name: string; base_unit: string; expires_on: string; remaining: Prisma.Decimal }[]>`
    SELECT b.id, b.sku_code, s.name, s.base_unit, to_char(b.expires_on, 'YYYY-MM-DD') AS expires_on, b.remaining
    FROM stock_batch b JOIN sku s ON s.code = b.sku_code
    WHERE b.store_code = ${storeCode} AND b.remaining > 0 AND b.expires_on <= ${until}::date
    ORDER BY b.expires_on, s.name, b.id`;
  return rows.map((r) => ({ id: r.id, skuCode: r.sku_code, skuName: r.name, baseUnit: r.base_unit, expiresOn: r.expires_on, remaining: new Prisma.Decimal(r.remaining) }));
}

/** The nearest expiry of a SKU's stock in a store and how much expires that day; null when no batch with stock left has one. */
export async function nearestExpiry(db: DbTx, storeCode: string, skuCode: string): Promise<{ expiresOn: string; quantity: Prisma.Decimal } | null> {
  const [row] = await db.$queryRaw<{ expires_on: string; quantity: Prisma.Decimal }[]>`
    SELECT to_char(expires_on, 'YYYY-MM-DD') AS expires_on, SUM(remaining) AS quantity
    FROM stock_batch
    WHERE store_code = ${storeCode} AND sku_code = ${skuCode} AND remaining > 0 AND expires_on IS NOT NULL
    GROUP BY expires_on ORDER BY expires_on LIMIT 1`;
  return row ? { expiresOn: row.expires_on, quantity: new Prisma.Decimal(row.quantity) } : null;
}

/** `12月20日` for a `YYYY-MM-DD` day. */
export const dayText = (day: string): string => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
