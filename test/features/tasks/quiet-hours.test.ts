import { inQuietHours, quietHoursEnd } from '../../../src/features/tasks/ladder';

/** Quiet hours are the chain's wall clock, spanning midnight or not. */
const night = { start: 22 * 60, end: 8 * 60 };
const lunch = { start: 12 * 60, end: 13 * 60 + 30 };
const at = (iso: string) => new Date(iso);

it('tells whether a moment is in the quiet hours, in the chain time zone', () => {
  expect(inQuietHours(at('2026-11-25T13:59:00Z'), 'Asia/Shanghai', night)).toBe(false); // 21:59
  expect(inQuietHours(at('2026-11-25T14:00:00Z'), 'Asia/Shanghai', night)).toBe(true); // 22:00
  expect(inQuietHours(at('2026-11-25T23:59:00Z'), 'Asia/Shanghai', night)).toBe(true); // 07:59
  expect(inQuietHours(at('2026-11-26T00:00:00Z'), 'Asia/Shanghai', night)).toBe(false); // 08:00
  expect(inQuietHours(at('2026-11-25T04:30:00Z'), 'Asia/Shanghai', lunch)).toBe(true); // 12:30
  expect(inQuietHours(at('2026-11-25T04:30:00Z'), 'Asia/Shanghai', null)).toBe(false);
  expect(inQuietHours(at('2026-11-25T22:00:00Z'), 'Europe/Berlin', night)).toBe(true); // 23:00 in Berlin, 06:00 in Shanghai
});

it('finds when the quiet hours end: the same night before midnight or after', () => {
  expect(quietHoursEnd(at('2026-11-25T14:30:00Z'), 'Asia/Shanghai', night)).toEqual(at('2026-11-26T00:00:00Z')); // 22:30 → 08:00 next day
  expect(quietHoursEnd(at('2026-11-25T19:00:00Z'), 'Asia/Shanghai', night)).toEqual(at('2026-11-26T00:00:00Z')); // 03:00 → 08:00 same day
  expect(quietHoursEnd(at('2026-11-25T04:10:00Z'), 'Asia/Shanghai', lunch)).toEqual(at('2026-11-25T05:30:00Z'));
  // Across the end of summer time in Berlin (25 October 2026), 08:00 is still 08:00 on the wall.
  expect(quietHoursEnd(at('2026-10-24T21:00:00Z'), 'Europe/Berlin', night)).toEqual(at('2026-10-25T07:00:00Z'));
});
