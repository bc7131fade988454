import { ESLint } from 'eslint';

/** The architecture rule of eslint.config.mjs: outside a feature, only its public face is imported. */
const eslint = new ESLint();
const problems = async (file: string, code: string) => (await eslint.lintText(code, { filePath: file }))[0].messages.map((m) => m.ruleId);

it('fails on a deep import into another feature, from a feature or from central code', async () => {
  expect(await problems('src/features/members/probe.ts', "export { bookMove } from '../stock/ledger';\n")).toEqual(['no-restricted-imports']);
  expect(await problems('src/console/probe.ts', "export { bookMove } from '../features/stock/ledger';\n")).toEqual(['no-restricted-imports']);
});

it('allows the public face and a feature’s own files', async () => {
  expect(await problems('src/features/members/probe.ts', "export { stockFeature } from '../stock';\n")).toEqual([]);
  expect(await problems('src/console/probe.ts', "export { stockFeature } from '../features/stock/index';\n")).toEqual([]);
  expect(await problems('src/features/stock/probe.ts', "export { bookMove } from './ledger';\n")).toEqual([]);
});

it('fails on a card key, menu key or error code written as a string instead of the feature’s declaration', async () => {
  const probe = (code: string) => problems('src/features/stock/probe.ts', `${code}\n`);
  expect(await probe("bot.card('stock.undo', undoFromCard);")).toEqual(['no-restricted-syntax']);
  expect(await probe("bot.menuClick('handover.start', start);")).toEqual(['no-restricted-syntax']);
  expect(await probe('export const button = { text: "撤销", key: `stock.undo:${id}` };')).toEqual(['no-restricted-syntax']);
  expect(await probe("throw new UserFacingError('stock.unknownSku', '没找到商品。');")).toEqual(['no-restricted-syntax']);
  expect(await probe("export const problem = { code: 'stock.unknownSku', message: '没找到商品。' };")).toEqual(['no-restricted-syntax']);
  expect(await probe("await requireOwnStore(ctx, 'stock.noStore');")).toEqual(['no-restricted-syntax']);
  expect(await probe('bot.card(STOCK_CARDS.undo, undoFromCard);')).toEqual([]);
  expect(await probe('export const button = { text: "撤销", key: `${STOCK_CARDS.undo}:${id}` };')).toEqual([]);
});
