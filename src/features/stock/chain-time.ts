/**
 * Days as the chain lives them: "today's waste" and "each morning" are days in the chain's time
 * zone (config `timezone`), not in UTC and not in the server's zone.
 */

/** `2026-11-25` for the chain-local day that holds `instant`. */
export function chainDate(instant: Date, timezone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** The instant a chain-local date (`2026-11-25`) begins. */
export function startOfChainDate(date: string, timezone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  // Local midnight = UTC midnight minus the zone's offset; asked twice so a DST change between
  // the guess and the answer still lands on midnight.
  let instant = guess - offsetMs(new Date(guess), timezone);
  instant = guess - offsetMs(new Date(instant), timezone);
  return new Date(instant);
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

/** 0 = Monday … 6 = Sunday, for a `YYYY-MM-DD` date. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** `11月25日 14:05` in the chain's zone, for chat. */
export function chainTimeText(instant: Date, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: timezone, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.month}月${parts.day}日 ${parts.hour}:${parts.minute}`;
}

function offsetMs(instant: Date, timezone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(instant)
      .map((p) => [p.type, Number(p.value)]),
  );
  const local = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return local - Math.floor(instant.getTime() / 1000) * 1000;
}
