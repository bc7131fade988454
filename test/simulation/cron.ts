/**
 * Which fires of a job's cron schedule fall in a stretch of simulated time. The scheduler
 * (node-cron) fires on the wall clock; the simulation moves its own clock and runs each job's
 * latest due fire through the scheduler's runJob, as a replica catching up would.
 *
 * Five fields (minute hour day-of-month month day-of-week) with `*`, `*\/n`, `a-b`, `a,b` — what
 * the bot's schedules use. The chain's time zone is a fixed offset (Asia/Shanghai has no DST).
 */
const FIELD_RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

export type CronMatcher = (localMinute: Date) => boolean;

export function cronMatcher(schedule: string): CronMatcher {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron schedule "${schedule}": the simulation reads five fields`);
  const sets = fields.map((field, i) => allowedValues(field, FIELD_RANGES[i]!));
  const [minutes, hours, days, months, weekdays] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  // As cron: when both day fields are restricted, either may match.
  const dayRestricted = fields[2] !== '*';
  const weekdayRestricted = fields[4] !== '*';
  return (t) => {
    if (!minutes.has(t.getUTCMinutes()) || !hours.has(t.getUTCHours()) || !months.has(t.getUTCMonth() + 1)) return false;
    const dom = days.has(t.getUTCDate());
    const dow = weekdays.has(t.getUTCDay()) || (t.getUTCDay() === 0 && weekdays.has(7));
    if (dayRestricted && weekdayRestricted) return dom || dow;
    return dom && dow;
  };
}

function allowedValues(field: string, [min, max]: [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    let [from, to] = [min, max];
    if (range !== '*') {
      const [a, b] = range!.split('-').map(Number);
      from = a!;
      to = b ?? (stepText ? max : a!);
    }
    if (![from, to, step].every(Number.isInteger) || step < 1) throw new Error(`cron field "${field}" is not understood`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * The latest minute in (after, upTo] at which `matches` fires, in UTC (null: none). Minutes are
 * tried in the chain's local time, `offsetMinutes` ahead of UTC.
 */
export function latestFire(matches: CronMatcher, after: Date, upTo: Date, offsetMinutes: number): Date | null {
  const minute = 60_000;
  const last = Math.floor(upTo.getTime() / minute) * minute;
  for (let t = last; t > after.getTime(); t -= minute) {
    if (matches(new Date(t + offsetMinutes * minute))) return new Date(t);
  }
  return null;
}
