/**
 * The one time module: wall-clock time in the chain's time zone (APP_TIMEZONE) and back, with the
 * platform's Intl data — what shift files, chat dates and quiet hours are written in — and days as
 * the chain lives them ("today's waste", "each morning" are days in the chain's zone, not in UTC
 * and not in the server's zone).
 */

/** The chain's time zone unless APP_TIMEZONE (or TZ) names another. */
export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

/** Minutes the zone is ahead of UTC at `at` (Asia/Shanghai: 480). */
export function zoneOffsetMinutes(at: Date, timezone: string): number {
  const p = wallClock(at, timezone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The date and time a clock on the wall in `timezone` shows at `at`. */
export function wallClock(at: Date, timezone: string): WallClock {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' })
      .formatToParts(at)
      .map((part) => [part.type, Number(part.value)]),
  );
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** The instant a wall clock in `timezone` shows `local` (the later one in a DST gap or overlap). */
export function fromWallClock(local: WallClock, timezone: string): Date {
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  // Twice: the offset at the naive guess may differ from the offset at the answer across a DST change.
  let at = new Date(naive - zoneOffsetMinutes(new Date(naive), timezone) * 60_000);
  at = new Date(naive - zoneOffsetMinutes(at, timezone) * 60_000);
  return at;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * `2026-11-26 08:00` (wall clock in `timezone`) or ISO 8601 with an offset
 * (`2026-11-26T00:00:00Z`, `…+08:00`); null for anything else or an impossible date.
 */
export function parseLocalOrIso(text: string, timezone: string): Date | null {
  const value = text.trim();
  if (WITH_OFFSET.test(value)) {
    const at = new Date(value);
    return Number.isNaN(at.getTime()) ? null : at;
  }
  const m = LOCAL.exec(value);
  if (!m) return null;
  const local = { year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5], second: +(m[6] ?? 0) };
  if (local.month < 1 || local.month > 12 || local.day < 1 || local.day > 31 || local.hour > 23 || local.minute > 59 || local.second > 59) return null;
  const at = fromWallClock(local, timezone);
  // 2026-02-30 rolls over to March: refuse it instead.
  return wallClock(at, timezone).day === local.day ? at : null;
}

/** `2026-11-25` for the chain-local day that holds `instant`. */
export function chainDate(instant: Date, timezone: string): string {
  const w = wallClock(instant, timezone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** The instant a chain-local date (`2026-11-25`) begins. */
export function startOfChainDate(date: string, timezone: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  return fromWallClock({ year, month, day, hour: 0, minute: 0, second: 0 }, timezone);
}

/** Start (inclusive) and end (exclusive) of the chain-local day holding `instant`. */
export function chainDay(instant: Date, timezone: string): { date: string; start: Date; end: Date } {
  const date = chainDate(instant, timezone);
  return { date, start: startOfChainDate(date, timezone), end: startOfChainDate(addDays(date, 1), timezone) };
}

/** `2026-11-25` + 1 → `2026-11-26`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from one `2026-11-25` date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

/** 0 = Monday … 6 = Sunday, for a `YYYY-MM-DD` date. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

const WEEKDAY_NAMES = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** `周三`, for a `YYYY-MM-DD` date. */
export function weekdayText(date: string): string {
  return WEEKDAY_NAMES[weekdayOf(date)];
}

/** Minutes after local midnight in `timezone`. */
export function localMinutes(at: Date, timezone: string): number {
  const w = wallClock(at, timezone);
  return w.hour * 60 + w.minute;
}

/** `11月25日 14:05` (or `14:05`) in the chain's zone, for chat, cards and summaries. */
export function chainTimeText(at: Date, timezone: string, opts: { timeOnly?: boolean } = {}): string {
  const w = wallClock(at, timezone);
  const time = `${pad(w.hour)}:${pad(w.minute)}`;
  return opts.timeOnly ? time : `${w.month}月${w.day}日 ${time}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
