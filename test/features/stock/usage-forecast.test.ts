import { forecastDaily, runOutDay } from '../../../src/features/stock/forecast';
import { reorderQuantity } from '../../../src/features/stock/alerts';

/** The usage forecast on series whose future is known. 2026-11-02 is a Monday. */
const MONDAY = '2026-11-02';

it('forecasts a flat series as flat', () => {
  const forecast = forecastDaily(
    Array.from({ length: 28 }, () => 6),
    MONDAY,
    7,
  );
  forecast.forEach((f) => expect(f).toBeCloseTo(6, 6));
});

it('learns the weekday pattern: quiet weekdays, busy weekends', () => {
  // Mon–Fri 10, Sat–Sun 20, eight weeks; the next day is a Monday.
  const week = [10, 10, 10, 10, 10, 20, 20];
  const series = Array.from({ length: 8 }, () => week).flat();
  const forecast = forecastDaily(series, MONDAY, 7);
  forecast.forEach((f, i) => expect(f).toBeCloseTo(week[i], 1));
});

it('follows a rising level, damped, and tracks the weekday pattern on top', () => {
  // Level rises 1 a week; Saturdays carry +7.
  const series = Array.from({ length: 56 }, (_, t) => 10 + Math.floor(t / 7) + (t % 7 === 5 ? 7 : 0));
  const forecast = forecastDaily(series, MONDAY, 7);
  const lastWeekMonday = series[49];
  expect(forecast[0]).toBeGreaterThan(lastWeekMonday - 0.5);
  expect(forecast[0]).toBeLessThan(lastWeekMonday + 1.5);
  expect(forecast[5] - forecast[4]).toBeGreaterThan(5); // Saturday
});

it('smooths the level alone with under two weeks of history, and never goes negative', () => {
  expect(forecastDaily([4, 4, 4], MONDAY, 3)).toEqual([4, 4, 4]);
  expect(forecastDaily([], MONDAY, 2)).toEqual([0, 0]);
  const dropping = forecastDaily([30, 30, 30, 30, 30, 30, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], MONDAY, 7);
  dropping.forEach((f) => expect(f).toBeGreaterThanOrEqual(0));
});

it('finds the day stock runs out, counting what arrives', () => {
  expect(runOutDay(25, [10, 10, 10, 10], [0, 0, 0, 0])).toBe(2);
  expect(runOutDay(25, [10, 10, 10, 10], [0, 0, 20, 0])).toBeNull();
  expect(runOutDay(30, [10, 10, 10], [0, 0, 0])).toBeNull();
  expect(runOutDay(0, [1], [0])).toBe(0);
});

it('reorders to safety stock plus the cover, less on-hand and what is on its way', () => {
  expect(reorderQuantity({ safetyStock: 24, coverUsage: 30, onHand: 10, incoming: 0 })).toBe(44);
  expect(reorderQuantity({ safetyStock: 24, coverUsage: 30, onHand: 10, incoming: 60 })).toBe(0);
  expect(reorderQuantity({ safetyStock: 24, coverUsage: 2.5, onHand: 10, incoming: 0 })).toBe(17);
});
