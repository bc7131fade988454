import type { Db, DbTx } from '../../db';
import type { Staff } from '../../generated/prisma/client';

/**
 * The shift schedule as features ask it: who is in the store now, who comes next, and whether a
 * person's schedule is known at all (no schedule: nobody is assumed off duty).
 */

/** How far around a moment a person's shifts are looked for to call their schedule "known". */
const KNOWN_WITHIN_MS = 24 * 3_600_000;

/** Active staff on an active shift in the store at `at`; [] when none is (or no schedule is known). */
export async function staffOnShift(db: Db | DbTx, storeCode: string, at: Date): Promise<Staff[]> {
  const shifts = await db.shift.findMany({
    where: { storeCode, active: true, startsAt: { lte: at }, endsAt: { gt: at } },
    select: { userid: true },
    orderBy: [{ startsAt: 'asc' }, { userid: 'asc' }],
  });
  return activeStaff(
    db,
    shifts.map((s) => s.userid),
  );
}

/** The first colleague whose shift in the store starts at or after `after` (the incoming shift). */
export async function nextShiftStaff(db: Db | DbTx, storeCode: string, after: Date): Promise<Staff | null> {
  const shifts = await db.shift.findMany({
    where: { storeCode, active: true, startsAt: { gte: after } },
    select: { userid: true },
    orderBy: [{ startsAt: 'asc' }, { userid: 'asc' }],
    take: 20,
  });
  const [first] = await activeStaff(
    db,
    shifts.map((s) => s.userid),
  );
  return first ?? null;
}

export type Availability = { userid: string } & ({ state: 'on_shift' | 'unknown' } | { state: 'off_shift'; nextShiftAt: Date | null });

/**
 * For each person: on shift at `at` (in any store), off shift (with the start of their next shift
 * within a day, if any), or unknown — no shift of theirs within a day either side.
 */
export async function availability(db: Db | DbTx, userids: string[], at: Date): Promise<Availability[]> {
  if (userids.length === 0) return [];
  const shifts = await db.shift.findMany({
    where: { userid: { in: userids }, active: true, endsAt: { gt: new Date(at.getTime() - KNOWN_WITHIN_MS) }, startsAt: { lt: new Date(at.getTime() + KNOWN_WITHIN_MS) } },
    select: { userid: true, startsAt: true, endsAt: true },
    orderBy: { startsAt: 'asc' },
  });
  return userids.map((userid) => {
    const mine = shifts.filter((s) => s.userid === userid);
    if (mine.length === 0) return { userid, state: 'unknown' };
    if (mine.some((s) => s.startsAt <= at && s.endsAt > at)) return { userid, state: 'on_shift' };
    return { userid, state: 'off_shift', nextShiftAt: mine.find((s) => s.startsAt > at)?.startsAt ?? null };
  });
}

/** Active staff with these userids, in the order given. */
async function activeStaff(db: Db | DbTx, userids: string[]): Promise<Staff[]> {
  if (userids.length === 0) return [];
  const staff = await db.staff.findMany({ where: { userid: { in: userids }, active: true } });
  const byId = new Map(staff.map((s) => [s.userid, s]));
  return [...new Set(userids)].map((id) => byId.get(id)).filter((s): s is Staff => !!s);
}
