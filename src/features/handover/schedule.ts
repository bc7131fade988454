import type { DbTx } from '../../db';
import type { Staff } from '../../generated/prisma/client';
import { nextShiftStaff, staffOnShift } from '../masterdata';
import { OPEN_STATES } from '../tasks';

/**
 * Who takes over from the schedule: a colleague already on shift who came in last (shifts
 * overlap at handover), else the first whose shift starts next. Null when the schedule does
 * not say, and the outgoing colleague picks.
 */
export async function findIncomingFromSchedule(db: DbTx, storeCode: string, outgoing: string, now: Date): Promise<Staff | null> {
  const onShift = (await staffOnShift(db, storeCode, now)).filter((s) => s.userid !== outgoing);
  if (onShift.length) return onShift.at(-1)!;
  const next = await nextShiftStaff(db, storeCode, now);
  return next && next.userid !== outgoing ? next : null;
}

/** Stock entries the task engine holds overdue for the store (open `stock.*` tasks past due): their titles. */
export async function overdueStockEntries(db: DbTx, storeCode: string, now: Date): Promise<string[]> {
  const tasks = await db.task.findMany({
    where: { storeCode, kind: { startsWith: 'stock.' }, state: { in: OPEN_STATES }, dueAt: { lt: now } },
    orderBy: { dueAt: 'asc' },
    select: { title: true },
  });
  return tasks.map((t) => t.title);
}

/** Shifts scheduled per store in the period (by start): what a complete month of handovers is measured against. */
export async function scheduledShifts(db: DbTx, storeCodes: string[], period: { start: Date; end: Date }): Promise<Map<string, number>> {
  const rows = await db.shift.groupBy({ by: ['storeCode'], where: { storeCode: { in: storeCodes }, active: true, startsAt: { gte: period.start, lt: period.end } }, _count: true });
  return new Map(rows.map((r) => [r.storeCode, r._count]));
}
