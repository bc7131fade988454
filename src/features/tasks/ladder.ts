import type { Ladder } from '../../settings';
import type { TaskConfig } from './settings';
import { fromWallClock, localMinutes, wallClock } from '../../timezone';

/** Whether `at` falls in the quiet hours (start inclusive, end exclusive; may span midnight). */
export function inQuietHours(at: Date, timezone: string, quiet: TaskConfig['quietHours']): boolean {
  if (!quiet) return false;
  const m = localMinutes(at, timezone);
  return quiet.start < quiet.end ? m >= quiet.start && m < quiet.end : m >= quiet.start || m < quiet.end;
}

/** When the quiet hours that `at` falls in end (the next time the local clock shows their end). */
export function quietHoursEnd(at: Date, timezone: string, quiet: NonNullable<TaskConfig['quietHours']>): Date {
  const local = wallClock(at, timezone);
  const end = { ...local, hour: Math.floor(quiet.end / 60), minute: quiet.end % 60, second: 0 };
  const today = fromWallClock(end, timezone);
  if (today > at) return today;
  // Tomorrow's: step a day on from noon, clear of any DST change at night.
  const tomorrow = wallClock(new Date(fromWallClock({ ...local, hour: 12, minute: 0, second: 0 }, timezone).getTime() + 86_400_000), timezone);
  return fromWallClock({ ...tomorrow, hour: end.hour, minute: end.minute, second: 0 }, timezone);
}

/** The ladder a task walks; a name no longer configured falls back to `default`. */
export function ladderFor(config: TaskConfig, name: string): Ladder {
  return config.ladders[name] ?? config.ladders.default;
}

/**
 * When the step after `sent` goes out: its offset from the due time, but never sooner after the
 * step just sent than the ladder's gap between them — so a step held back by quiet hours (or a
 * walker that was down) does not bring the next one along with it.
 */
export function nextNoticeAt(ladder: Ladder, sent: number, dueAt: Date, sentAt: Date): Date | null {
  const next = ladder.steps[sent + 1];
  if (!next) return null;
  const gapMs = (next.afterMinutes - ladder.steps[sent].afterMinutes) * 60_000;
  return new Date(Math.max(dueAt.getTime() + next.afterMinutes * 60_000, sentAt.getTime() + gapMs));
}
