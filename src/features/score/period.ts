import { fromWallClock, wallClock } from '../../timezone';

/**
 * Months in the chain's time zone. A store's October is 1 Oct 00:00 to 1 Nov 00:00 Shanghai
 * time, whatever the server's zone; Intl supplies the zone's offset (DST included).
 */
export interface MonthPeriod {
  /** `2026-10` */
  month: string;
  start: Date;
  end: Date;
}

/** The instant of a wall-clock midnight in the zone. */
function zonedMidnight(year: number, month: number, day: number, timezone: string): Date {
  return fromWallClock({ year, month, day, hour: 0, minute: 0, second: 0 }, timezone);
}

const label = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

export function monthPeriod(month: string, timezone: string): MonthPeriod {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) throw new Error(`not a month: ${month}`);
  const year = Number(match[1]);
  const m = Number(match[2]);
  const next = m === 12 ? { year: year + 1, month: 1 } : { year, month: m + 1 };
  return { month, start: zonedMidnight(year, m, 1, timezone), end: zonedMidnight(next.year, next.month, 1, timezone) };
}

/** The month an instant falls in, in the zone. */
export function monthOf(at: Date, timezone: string): string {
  const w = wallClock(at, timezone);
  return label(w.year, w.month);
}

/** Midnight (in the zone) of the day an instant falls in. */
export function dayStart(at: Date, timezone: string): Date {
  const w = wallClock(at, timezone);
  return zonedMidnight(w.year, w.month, w.day, timezone);
}

export function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return m === 1 ? label(year - 1, 12) : label(year, m - 1);
}

/** `2026-10` → `10月`, `2026年10月` with the year. */
export function monthName(month: string, withYear = false): string {
  const [year, m] = month.split('-').map(Number);
  return withYear ? `${year}年${m}月` : `${m}月`;
}
