import { formatPercent, percentFigure } from '../src/percent';

/** The one rounding of percentages, chat and console alike. */
it('rounds to one decimal, half away from zero, exactly on decimal halves', () => {
  expect(formatPercent(2 / 3)).toBe('66.7%');
  expect(formatPercent(17 / 30)).toBe('56.7%');
  expect(formatPercent(0.5665)).toBe('56.7%');
  expect(formatPercent(0.5664)).toBe('56.6%');
  expect(formatPercent(-0.0125)).toBe('-1.3%');
  expect(formatPercent(0)).toBe('0.0%');
  expect(formatPercent(-0.0001)).toBe('0.0%');
  expect(percentFigure(1)).toBe(100);
});

it('never shows a ratio short of one as 100.0%', () => {
  expect(formatPercent(0.9996)).toBe('99.9%');
  expect(formatPercent(1)).toBe('100.0%');
});
