import type { DbTx } from '../../db';
import { namesOf } from '../../people';
import { addDays, chainDate, chainTimeText, startOfChainDate, weekdayText } from '../../timezone';

/** One planned shift, as the roster shows it. */
export interface RosterShift {
  userid: string;
  name: string;
  storeCode: string;
  storeName: string;
  startsAt: Date;
  endsAt: Date;
}

/** `12月4日 周五`: a chain date as staff read it. */
export function dayText(date: string): string {
  const [, month, day] = date.split('-').map(Number);
  return `${month}月${day}日 ${weekdayText(date)}`;
}

/** `07:00–15:00`; a shift past midnight shows the day it ends on (`22:00–次日06:00`). */
export function hoursText(shift: Pick<RosterShift, 'startsAt' | 'endsAt'>, timezone: string): string {
  const overnight = chainDate(shift.endsAt, timezone) !== chainDate(shift.startsAt, timezone) && chainTimeText(shift.endsAt, timezone, { timeOnly: true }) !== '00:00';
  return `${chainTimeText(shift.startsAt, timezone, { timeOnly: true })}–${overnight ? '次日' : ''}${chainTimeText(shift.endsAt, timezone, { timeOnly: true })}`;
}

/**
 * The active shifts starting on the chain dates [from, from + days), of one store or of one
 * person, in start order, with the names of the people and stores. Withdrawn shifts stay out.
 */
export async function plannedShifts(db: DbTx, who: { storeCode: string } | { userid: string }, from: string, days: number, timezone: string): Promise<RosterShift[]> {
  const shifts = await db.shift.findMany({
    where: { ...who, active: true, startsAt: { gte: startOfChainDate(from, timezone), lt: startOfChainDate(addDays(from, days), timezone) } },
    orderBy: [{ startsAt: 'asc' }, { userid: 'asc' }],
  });
  const [names, stores] = await Promise.all([
    namesOf(
      db,
      shifts.map((s) => s.userid),
    ),
    db.store.findMany({ where: { code: { in: [...new Set(shifts.map((s) => s.storeCode))] } }, select: { code: true, name: true } }),
  ]);
  const storeNames = new Map(stores.map((s) => [s.code, s.name]));
  return shifts.map((s) => ({
    userid: s.userid,
    name: names.get(s.userid) ?? s.userid,
    storeCode: s.storeCode,
    storeName: storeNames.get(s.storeCode) ?? s.storeCode,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
  }));
}
