import fs from 'node:fs';
import path from 'node:path';
import { modelKindLines, QUANTITY_VERBS, STOCK_KINDS, verbWords } from '../../../src/features/stock/move-kinds';
import { parseStockCommand, type CatalogueSku } from '../../../src/features/stock/parse';

const CATALOGUE: CatalogueSku[] = [{ code: 'MILK', name: '牛奶', aliases: [], baseUnit: '盒', packUnits: [{ unit: '箱', factor: 12 }] }];

it('reads every word of a kind as that kind, in front of a SKU and its quantity', () => {
  for (const { word, kind, withDestination } of verbWords()) {
    const text = kind === 'transfer' ? (withDestination ? `牛奶 2箱 ${word} 二店` : `${word} 牛奶 2箱 到 二店`) : `${word} 牛奶 2箱`;
    expect({ word, read: parseStockCommand(text, CATALOGUE) }).toMatchObject({ word, read: { kind, lines: [{ sku: { kind: 'found' }, baseQuantity: 24 }] } });
  }
});

// A confirmed model reading is booked as `<name> 2箱`, and refusals give the name as the example to type.
it('names every kind staff type by one of its command words', () => {
  for (const kind of QUANTITY_VERBS) expect(STOCK_KINDS[kind].typed.commands).toContain(STOCK_KINDS[kind].name);
});

it('fills the prompt with one line per kind the model may read', () => {
  const prompt = fs.readFileSync(path.join(__dirname, '../../../prompts/stock/parse.md'), 'utf8');
  expect(prompt).toContain('{{kinds}}');
  expect(modelKindLines()).toBe(['- `receipt`：入库、收到、到货、进货', '- `waste`：报损、损耗、过期、打翻、坏了', '- `return`：退货给供应商'].join('\n'));
});
