import { expiryDate, parseStockCommand, type CatalogueSku } from '../../../src/features/stock/parse';

/** 效期 in a typed receipt: read as the batch's expiry, never as its quantity or its note. */
const catalogue: CatalogueSku[] = [
  { code: 'MILK', name: '牛奶', aliases: [], baseUnit: '盒', packUnits: [{ unit: '箱', factor: 12 }] },
  { code: 'CREAM', name: '奶油', aliases: [], baseUnit: '盒', packUnits: [{ unit: '箱', factor: 12 }] },
];
const lines = (text: string) => {
  const command = parseStockCommand(text, catalogue);
  if (!command || !('lines' in command)) throw new Error(`not a move: ${text}`);
  return command.lines.map((l) => ({
    sku: l.sku.kind === 'found' ? l.sku.sku.code : null,
    base: l.baseQuantity,
    note: l.note,
    expiry: l.expiry && { year: l.expiry.year, month: l.expiry.month, day: l.expiry.day },
    problem: l.problem?.kind,
  }));
};

it.each([
  ['入库 牛奶 2箱 效期 12月20日', undefined],
  ['入库 牛奶 2箱 保质期至12月20日', undefined],
  ['入库 牛奶 2箱 效期12/20', undefined],
  ['牛奶2箱入库 效期 12月20号', undefined],
  ['入库 牛奶 2箱 到期 2026-12-20', 2026],
  ['入库 牛奶 2箱 有效期到2026年12月20日', 2026],
])('reads %s as 24盒 expiring on 20 December', (text, year) => {
  expect(lines(text)).toEqual([{ sku: 'MILK', base: 24, note: '', expiry: { year, month: 12, day: 20 }, problem: undefined }]);
});

it('keeps a reason after the expiry as the note, and one expiry for every line or one per line', () => {
  expect(lines('入库 牛奶 2箱 效期12月20日 压坏了')[0]).toMatchObject({ note: '压坏了', expiry: { month: 12, day: 20 } });
  expect(lines('入库 奶油2箱 牛奶3箱 效期12月20日').map((l) => [l.sku, l.expiry?.day])).toEqual([
    ['CREAM', 20],
    ['MILK', 20],
  ]);
  expect(lines('入库 牛奶2箱 效期12月20日 奶油1箱 效期12月28日').map((l) => [l.sku, l.base, l.expiry?.day])).toEqual([
    ['MILK', 24, 20],
    ['CREAM', 12, 28],
  ]);
});

it('asks about a day that does not exist, or more expiries than lines', () => {
  expect(lines('入库 牛奶 2箱 效期 13月40日')[0].problem).toBe('badExpiry');
  expect(lines('入库 牛奶 2箱 效期 2月30日')[0].problem).toBe('badExpiry');
  expect(lines('入库 牛奶2箱 效期12月20日 效期12月21日')[0].problem).toBe('badExpiry');
});

it('leaves waste reasons alone: 过期 is a note, not an expiry', () => {
  expect(lines('报损 牛奶 2盒 过期')).toEqual([{ sku: 'MILK', base: 2, note: '过期', expiry: undefined, problem: undefined }]);
});

it('puts a day without a year on its next occurrence from today', () => {
  expect(expiryDate({ month: 12, day: 20 }, '2026-12-04')).toBe('2026-12-20');
  expect(expiryDate({ month: 12, day: 4 }, '2026-12-04')).toBe('2026-12-04');
  expect(expiryDate({ month: 1, day: 5 }, '2026-12-04')).toBe('2027-01-05');
  expect(expiryDate({ month: 2, day: 29 }, '2026-12-04')).toBe('2028-02-29');
  expect(expiryDate({ year: 2026, month: 11, day: 30 }, '2026-12-04')).toBe('2026-11-30');
});
