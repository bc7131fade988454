import type { DbTx } from '../../../db';
import { Prisma } from '../../../generated/prisma/client';

/**
 * Batches (批次): what each move in brought into a store, with the day it expires, and how much
 * of it is left. They are derived from the ledger, in the booking's transaction (after-move.ts
 * runs `moveBatches` for every booked move), and written nowhere else; the ledger stays the
 * truth and append-only.
 *
 * - A move in (receipt, transfer_in, production_in, a refund, a count that finds more) adds a
 *   batch: its expiry is the one given (`效期 12月20日`, a synced receipt's `expires_on`), else the
 *   day it happened plus the SKU's shelf life, else none.
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
 * Set-based, like the ledger: a document of thousands of lines costs three statements (batches in,
 * takes out, balancing), two more when it holds reversals.
 */

/** What `moveBatches` needs of a booked move: its id and kind; `expiresOn`, when given. */
export interface BatchMove {
  id: bigint;
  kind: string;
  expiresOn?: string;
}

/** The order batches are taken in: the earliest expiry first, no expiry last, then the oldest. */
const TAKE_ORDER = Prisma.sql`b.expires_on ASC NULLS LAST, b.id`;

export async function moveBatches(db: DbTx, timezone: string, moves: BatchMove[], now: Date): Promise<void> {
  if (moves.length === 0) return;
  const plain = moves.filter((m) => m.kind !== 'reversal').map((m) => m.id);
  const reversals = moves.filter((m) => m.kind === 'reversal').map((m) => m.id);
  const given = moves.filter((m) => m.expiresOn);
  if (plain.length > 0) {
    await db.$executeRaw`
      INSERT INTO stock_batch (store_code, sku_code, move_id, expires_on, quantity, remaining, received_at)
      SELECT m.store_code, m.sku_code, m.id, COALESCE(e.expires_on, (m.occurred_at AT TIME ZONE ${timezone})::date + s.shelf_life_days), m.quantity, m.quantity, m.occurred_at
      FROM stock_move m JOIN sku s ON s.code = m.sku_code
      LEFT JOIN unnest(${given.map((m) => m.id)}::bigint[], ${given.map((m) => m.expiresOn!)}::date[]) AS e(id, expires_on) ON e.id = m.id
      WHERE m.id = ANY(${plain}::bigint[]) AND m.quantity > 0
      ORDER BY m.id`;
    await takeOldestFirst(db, plain);
  }
  if (reversals.length > 0) await giveBack(db, reversals);
  await balanceWithOnHand(
    db,
    moves.map((m) => m.id),
    now,
  );
}

/**
 * The moves out among `moveIds` take from their SKU's batches in TAKE_ORDER, in one statement: the
 * moves of a SKU, in id order, are laid end to end (a, a + q) as are its batches (c, c + r), and
 * each move takes the overlap of its span with each batch's. What no batch covers is left to
 * balanceWithOnHand.
 */
async function takeOldestFirst(db: DbTx, moveIds: bigint[]): Promise<void> {
  await db.$executeRaw`
    WITH outs AS (
      SELECT id, store_code, sku_code, -quantity AS q, SUM(-quantity) OVER (PARTITION BY store_code, sku_code ORDER BY id) + quantity AS a
      FROM stock_move WHERE id = ANY(${moveIds}::bigint[]) AND quantity < 0
    ), batches AS (
      SELECT b.id, b.store_code, b.sku_code, b.remaining AS r,
             SUM(b.remaining) OVER (PARTITION BY b.store_code, b.sku_code ORDER BY ${TAKE_ORDER}) - b.remaining AS c
      FROM stock_batch b JOIN (SELECT DISTINCT store_code, sku_code FROM outs) k ON b.store_code = k.store_code AND b.sku_code = k.sku_code
      WHERE b.remaining > 0
    ), taken AS (
      INSERT INTO stock_batch_take (move_id, batch_id, quantity)
      SELECT o.id, b.id, LEAST(o.a + o.q, b.c + b.r) - GREATEST(o.a, b.c)
      FROM outs o JOIN batches b ON b.store_code = o.store_code AND b.sku_code = o.sku_code AND o.a < b.c + b.r AND b.c < o.a + o.q
      RETURNING batch_id, quantity
    )
    UPDATE stock_batch b SET remaining = b.remaining - t.quantity
    FROM (SELECT batch_id, SUM(quantity) AS quantity FROM taken GROUP BY batch_id) t
    WHERE b.id = t.batch_id`;
}

/**
 * Reversals: the undo of a move out gives back what it took to the batches it took it from
 * (recorded as negative takes of the reversal); the undo of a move in takes from that move's
 * own batch first (what it no longer has comes out of the others when balancing).
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
 * Makes the batches of every (store, SKU) of `moveIds` add up to the on-hand (zero when it is
 * below zero), in one statement: more than the book is taken away in TAKE_ORDER, less than the
 * book becomes a batch without an expiry.
 */
async function balanceWithOnHand(db: DbTx, moveIds: bigint[], now: Date): Promise<void> {
  await db.$executeRaw`
    WITH pairs AS (
      SELECT DISTINCT store_code, sku_code FROM stock_move WHERE id = ANY(${moveIds}::bigint[])
    ), state AS (
      SELECT p.store_code, p.sku_code, GREATEST(COALESCE(MAX(bal.on_hand), 0), 0) AS on_hand, COALESCE(SUM(b.remaining), 0) AS batched
      FROM pairs p
      LEFT JOIN stock_balance bal ON bal.store_code = p.store_code AND bal.sku_code = p.sku_code
      LEFT JOIN stock_batch b ON b.store_code = p.store_code AND b.sku_code = p.sku_code AND b.remaining > 0
      GROUP BY p.store_code, p.sku_code
    ), over AS (
      SELECT b.id, s.batched - s.on_hand AS excess, b.remaining AS r,
             SUM(b.remaining) OVER (PARTITION BY b.store_code, b.sku_code ORDER BY ${TAKE_ORDER}) - b.remaining AS c
      FROM state s JOIN stock_batch b ON b.store_code = s.store_code AND b.sku_code = s.sku_code AND b.remaining > 0
      WHERE s.batched > s.on_hand
    ), trimmed AS (
      UPDATE stock_batch b SET remaining = b.remaining - LEAST(o.r, o.excess - o.c)
      FROM over o WHERE b.id = o.id AND o.c < o.excess
    )
    INSERT INTO stock_batch (store_code, sku_code, move_id, expires_on, quantity, remaining, received_at)
    SELECT store_code, sku_code, NULL, NULL, on_hand - batched, on_hand - batched, ${now}
    FROM state WHERE on_hand > batched
    ORDER BY store_code, sku_code`;
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
