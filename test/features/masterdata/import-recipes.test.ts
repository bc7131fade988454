import type { Database } from '../../../src/db';
import { importMasterData } from '../../../src/features/masterdata/import';
import { openTestDatabase } from '../../helpers/database';

/** Menu items and recipes: every bad row named, nothing half-written, a used version never changed. */
let database: Database;
const db = () => database.prisma;
const NOW = new Date('2026-11-25T02:00:00Z');
beforeAll(async () => {
  database = await openTestDatabase();
  await importMasterData(db(), 'stores', 'code,name\nS001,一店\n', 'csv');
  await importMasterData(db(), 'skus', 'code,name,category,base_unit,cost_price\nMILK,牛奶,乳品,盒,6.5\nTEA,红茶,茶叶,袋,32\nPEARL,珍珠,小料,袋,12\nCOOKED,煮好的珍珠,小料,克,0\n', 'csv');
  expect(await importMasterData(db(), 'menu-items', 'code,name,aliases,category,price\nMT,珍珠奶茶,奶茶,奶茶,16\nLT,柠檬茶,,果茶,abc\n', 'csv')).toEqual({
    ok: false,
    kind: 'menu-items',
    problems: [{ line: 3, message: '售价必须是数字' }],
  });
  expect(await importMasterData(db(), 'menu-items', 'code,name,aliases,category,price\nMT,珍珠奶茶,奶茶,奶茶,16\n', 'csv')).toMatchObject({ ok: true, created: 1 });
}, 120_000);
afterAll(() => database.close());

const HEADER = 'product,store,valid_from,yield,batch_unit,modifier,sku,quantity,factor\n';

it('names every bad recipe row and writes none of the file', async () => {
  const file =
    HEADER +
    [
      'MT,,2026-11-01,,,,MILK,0.15,', // fine
      'MT,,2026-11-01,,,,MILK,0.2,', // the same ingredient twice in one version
      'MT,,2026-11-01,,,大杯,TEA,,1.5', // scales a line the base does not have
      'NOPE,,2026-11-01,,,,MILK,1,', // unknown product
      'MT,S009,2026-11-01,,,,MILK,1,', // unknown store
      'MT,,2026-11-01,,,,GHOST,1,', // unknown ingredient
      'MT,,2026-11-01,,,,TEA,0,', // a base line of nothing
      'MT,,2026-11-01,,,少冰,*,0.5,', // * only scales
      'MT,,2026-13-01,,,,TEA,1,', // no such date
      'COOKED,,2026-11-01,,,,PEARL,1,', // a prepared item without its yield
    ].join('\n');
  const outcome = await importMasterData(db(), 'recipes', file, 'csv', { now: NOW });
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.problems).toEqual([
    { line: 3, message: '原料 MILK 在这个版本里重复' },
    { line: 4, message: '「大杯」按倍数调整的原料 TEA 不在基础配方里' },
    { line: 5, message: '产品 NOPE 不存在：先导入菜单 menu-items（卖的饮品、面包），或商品 skus（自制半成品，如煮好的珍珠）' },
    { line: 6, message: '门店 S009 不存在' },
    { line: 7, message: '原料 GHOST 不存在：先导入商品 skus' },
    { line: 8, message: '基础配方行的用量 quantity 必须大于 0' },
    { line: 9, message: '原料「*」（全部基础原料）只能配倍数 factor' },
    { line: 10, message: '生效时间「2026-13-01」不是有效的时间' },
    { line: 11, message: '自制半成品 COOKED 要填出品量 yield（每批出多少克）' },
  ]);
  expect(await db().recipe.count()).toBe(0);
});

it('keeps a used version as it was: the same file again changes nothing, a changed one needs a new valid_from', async () => {
  const v1 = HEADER + 'MT,,2026-11-01,,,,MILK,0.15,\nMT,,2026-11-01,,,,TEA,0.016,\nMT,,2026-11-01,,,大杯,*,,1.4\nCOOKED,,2026-11-01,3000,锅,,PEARL,1,\n';
  expect(await importMasterData(db(), 'recipes', v1, 'csv', { now: NOW })).toMatchObject({ ok: true, rows: 4, created: 2 });
  expect(await importMasterData(db(), 'recipes', v1, 'csv', { now: NOW })).toMatchObject({ ok: true, created: 0 });
  const changed = v1.replace('MILK,0.15', 'MILK,0.2');
  const refused = await importMasterData(db(), 'recipes', changed, 'csv', { now: NOW });
  expect(refused).toMatchObject({ ok: false, problems: [{ line: 2, message: expect.stringContaining('已用过的版本不能改') }] });
  expect(await db().recipeLine.count({ where: { skuCode: 'MILK', quantity: 0.2 } })).toBe(0);
  expect(await importMasterData(db(), 'recipes', changed.replaceAll('MT,,2026-11-01', 'MT,,2026-12-01'), 'csv', { now: NOW })).toMatchObject({ ok: true, created: 1 });
  // Without valid_from a version starts at import, unless it is the latest one again.
  const undated = HEADER + 'MT,,,,,,MILK,0.25,\n';
  expect(await importMasterData(db(), 'recipes', undated, 'csv', { now: NOW })).toMatchObject({ ok: true, created: 1 });
  expect(await importMasterData(db(), 'recipes', undated, 'csv', { now: NOW })).toMatchObject({ ok: true, created: 0 });
  expect((await db().recipe.findMany({ where: { product: 'MT' }, orderBy: { validFrom: 'asc' } })).map((r) => r.validFrom.toISOString())).toEqual([
    '2026-10-31T16:00:00.000Z',
    NOW.toISOString(),
    '2026-11-30T16:00:00.000Z',
  ]);
});
