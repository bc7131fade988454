import { toNumber } from '../../../src/bot/numbers';
import { parseStockCommand, readQuantity, type CatalogueSku } from '../../../src/features/stock/parse';

const sku = (code: string, name: string, aliases: string[], baseUnit: string, packUnits: { unit: string; factor: number }[] = []): CatalogueSku => ({ code, name, aliases, baseUnit, packUnits });
const CATALOGUE = [
  sku('MILK', '牛奶', ['鲜奶', '纯牛奶'], '盒', [{ unit: '箱', factor: 12 }]),
  sku('CREAM', '奶油', ['淡奶油'], '盒', [{ unit: '箱', factor: 12 }]),
  sku('PEARL', '珍珠', ['波霸'], '袋', [{ unit: '箱', factor: 20 }]),
  sku('CUP500', '500ml杯', ['中杯'], '条', [{ unit: '箱', factor: 20 }]),
  sku('CHEESE', '芝士奶盖粉', ['奶盖粉'], '袋'),
];
const parse = (text: string) => parseStockCommand(text, CATALOGUE);

it('reads the examples staff type', () => {
  expect(parse('入库 奶油 20箱')).toMatchObject({ kind: 'receipt', lines: [{ sku: { kind: 'found', sku: { code: 'CREAM' } }, amount: 20, unit: '箱', baseQuantity: 240 }] });
  expect(parse('收到牛奶两箱')).toMatchObject({ kind: 'receipt', lines: [{ sku: { sku: { code: 'MILK' } }, amount: 2, unit: '箱', baseQuantity: 24 }] });
  expect(parse('报损 牛奶 2盒 过期')).toMatchObject({ kind: 'waste', lines: [{ amount: 2, unit: '盒', baseQuantity: 2, note: '过期' }] });
  expect(parse('退货 珍珠 1箱 给供应商 质量问题')).toMatchObject({ kind: 'return', lines: [{ sku: { sku: { code: 'PEARL' } }, baseQuantity: 20, note: '质量问题' }] });
  expect(parse('查库存 奶油')).toMatchObject({ kind: 'query', sku: { kind: 'found', sku: { code: 'CREAM' } } });
  expect(parse('撤销')).toEqual({ kind: 'undo' });
  expect(parse('今天好累')).toBeNull();
});

it('takes aliases, codes, base units by default, and SKU names that contain digits', () => {
  expect(parse('入库 波霸 3')).toMatchObject({ lines: [{ sku: { sku: { code: 'PEARL' } }, unit: '袋', baseQuantity: 3 }] });
  expect(parse('入库 milk 十二盒')).toMatchObject({ lines: [{ sku: { sku: { code: 'MILK' } }, baseQuantity: 12 }] });
  expect(parse('入库 500ml杯 3箱')).toMatchObject({ lines: [{ sku: { sku: { code: 'CUP500' } }, baseQuantity: 60 }] });
  // Read as typed; the booking asks back, as 袋 is counted whole (see quantity-rules-by-chat.test.ts).
  expect(parse('入库 奶盖粉 2.5袋')).toMatchObject({ lines: [{ sku: { sku: { code: 'CHEESE' } }, baseQuantity: 2.5 }] });
});

it('keeps a minus sign before the quantity, so the booking can refuse it', () => {
  expect(parse('报损 牛奶 -3盒')).toMatchObject({ kind: 'waste', lines: [{ sku: { kind: 'found', sku: { code: 'MILK' } }, amount: -3, baseQuantity: -3 }] });
  expect(parse('入库 奶油 －2箱')).toMatchObject({ kind: 'receipt', lines: [{ sku: { sku: { code: 'CREAM' } }, amount: -2, baseQuantity: -24 }] });
  expect(parse('入库 500ml杯 3箱')).toMatchObject({ lines: [{ amount: 3 }] });
});

it('asks instead of guessing', () => {
  // 奶 names three SKUs.
  expect(parse('入库 奶 2箱')).toMatchObject({
    lines: [{ sku: { kind: 'ambiguous', candidates: expect.arrayContaining([expect.objectContaining({ code: 'MILK' }), expect.objectContaining({ code: 'CREAM' })]) } }],
  });
  // A one-character slip is offered, not booked.
  expect(parse('入库 珍株 1箱')).toMatchObject({ lines: [{ sku: { kind: 'ambiguous', candidates: [expect.objectContaining({ code: 'PEARL' })] } }] });
  expect(parse('入库 榴莲 1箱')).toMatchObject({ lines: [{ sku: { kind: 'unknown', text: '榴莲' } }] });
  expect(parse('入库 牛奶')).toMatchObject({ lines: [{ sku: { kind: 'found' }, problem: { kind: 'noQuantity' } }] });
  expect(parse('入库 牛奶 2桶')).toMatchObject({ lines: [{ problem: { kind: 'unknownUnit', unitText: '桶' } }] });
});

it('reads Chinese numerals', () => {
  expect([toNumber('两'), toNumber('十'), toNumber('十二'), toNumber('二十'), toNumber('二十五'), toNumber('一百零五'), toNumber('两百'), toNumber('20')]).toEqual([2, 10, 12, 20, 25, 105, 200, 20]);
  expect(toNumber('二三')).toBeNull();
  // Spoken short forms: a last digit after 百, 千 or 万 counts in the next lower place.
  expect([toNumber('三百五'), toNumber('三百五十'), toNumber('一千二'), toNumber('一千零五十'), toNumber('两万'), toNumber('一万二')]).toEqual([350, 350, 1200, 1050, 20000, 12000]);
  expect([toNumber('百千'), toNumber('十十'), toNumber('万'), toNumber('一万万')]).toEqual([null, null, null, null]);
});

it('reads transfers and count entries', () => {
  expect(parse('调拨 奶油 5箱 到 二店')).toMatchObject({ kind: 'transfer', lines: [{ sku: { sku: { code: 'CREAM' } }, baseQuantity: 60 }], toStoreText: '二店' });
  expect(parse('调拨奶油5箱到二店 · 滨江路')).toMatchObject({ kind: 'transfer', lines: [{ baseQuantity: 60 }], toStoreText: '二店 · 滨江路' });
  expect(parse('调拨 牛奶 3 给 S002')).toMatchObject({ kind: 'transfer', lines: [{ baseQuantity: 3, unit: '盒' }], toStoreText: 'S002' });
  expect(parse('调拨 奶油 5箱')).toMatchObject({ kind: 'incomplete', problem: 'store', sku: { kind: 'found' } });
  expect(parse('盘点 奶油 18盒')).toMatchObject({ kind: 'count', lines: [{ baseQuantity: 18 }] });
  expect(parse('盘点 珍珠 零')).toMatchObject({ kind: 'count', lines: [{ amount: 0 }] });
});

it('reads a bare quantity for a SKU already known, in the scanned unit unless another is named', () => {
  const milk = CATALOGUE[0];
  expect(readQuantity('3', milk, '箱')).toEqual({ amount: 3, unit: '箱', baseQuantity: 36, note: '' });
  expect(readQuantity('两盒 过期', milk, '箱')).toEqual({ amount: 2, unit: '盒', baseQuantity: 2, note: '过期' });
  expect(readQuantity('2 过期', milk)).toEqual({ amount: 2, unit: '盒', baseQuantity: 2, note: '过期' });
  expect(readQuantity('2桶', milk)).toBeNull();
  expect(readQuantity('好的', milk)).toBeNull();
});
