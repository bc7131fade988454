import { accuracyRatio, countAccuracy, DEFAULT_COUNT_TOLERANCE, isWithinTolerance, toleranceText, type VarianceLine } from '../../../src/features/stock/counts';

const line = (counted: number, book: number, costPrice = 1, category: string | null = '乳品', skuTolerance: number | null = null): VarianceLine => ({
  skuCode: `S${counted}-${book}`,
  name: 'x',
  unit: '盒',
  category,
  skuTolerance,
  costPrice,
  counted,
  book,
});

it('measures accuracy by quantity and by cost as 1 − Σ|counted − book| / Σ book', () => {
  const lines = [line(18, 20, 28), line(100, 100, 1), line(12, 10, 5)];
  const accuracy = countAccuracy(lines, DEFAULT_COUNT_TOLERANCE);
  expect(accuracy.skus).toBe(3);
  expect(accuracy.byQuantity).toBeCloseTo(1 - 4 / 130, 10);
  expect(accuracy.byCost).toBeCloseTo(1 - (2 * 28 + 2 * 5) / (20 * 28 + 100 + 10 * 5), 10);
  expect(accuracy.withinTolerance).toBeCloseTo(1 / 3, 10);
});

it('counts a SKU within tolerance when it is off by at most 2% of the book', () => {
  expect(isWithinTolerance(line(98, 100), DEFAULT_COUNT_TOLERANCE)).toBe(true);
  expect(isWithinTolerance(line(97, 100), DEFAULT_COUNT_TOLERANCE)).toBe(false);
  expect(isWithinTolerance(line(0, 0), DEFAULT_COUNT_TOLERANCE)).toBe(true);
  expect(isWithinTolerance(line(1, 0), DEFAULT_COUNT_TOLERANCE)).toBe(false);
});

it("takes the SKU's own tolerance, else its category's where one is configured, else the chain's", () => {
  const tolerance = { share: 0.05, byCategory: { 乳品: 0.01 } };
  expect(isWithinTolerance(line(90, 100, 1, '乳品', 0.1), tolerance)).toBe(true);
  expect(isWithinTolerance(line(99, 100, 1, '干货', 0), tolerance)).toBe(false);
  expect(isWithinTolerance(line(96, 100, 1, '干货'), tolerance)).toBe(true);
  expect(isWithinTolerance(line(98, 100, 1, '乳品'), tolerance)).toBe(false);
  expect(isWithinTolerance(line(99, 100, 1, '乳品'), tolerance)).toBe(true);
  expect(isWithinTolerance(line(96, 100, 1, null), tolerance)).toBe(true);
  expect(countAccuracy([line(96, 100, 1, '干货'), line(98, 100, 1, '乳品')], tolerance).withinTolerance).toBe(0.5);
});

it('never goes below zero, and a book of nothing is accurate only when nothing was found', () => {
  expect(accuracyRatio(30, 10)).toBe(0);
  expect(accuracyRatio(0, 0)).toBe(1);
  expect(accuracyRatio(2, 0)).toBe(0);
  expect(countAccuracy([], DEFAULT_COUNT_TOLERANCE)).toEqual({ skus: 0, withinTolerance: 1, byQuantity: 1, byCost: 1 });
});

it("names the tolerances that differ from the chain's in the report", () => {
  const tolerance = { share: 0.02, byCategory: { 乳品: 0.01, 干货: 0.02 } };
  expect(toleranceText([line(1, 1, 1, '饮料')], tolerance)).toBe('±2%');
  expect(toleranceText([line(1, 1, 1, '乳品'), line(1, 1, 1, '干货'), { ...line(1, 1, 1, '饮料', 0.055), name: '奶油' }], tolerance)).toBe('±2%（乳品 ±1%，奶油 ±5.5%）');
});
