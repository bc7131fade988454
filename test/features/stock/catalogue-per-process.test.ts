import type { Database } from '../../../src/db';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { loadCatalogue } from '../../../src/features/stock/catalogue';
import { TestClock } from '../../helpers/clock';
import { openTestDatabase } from '../../helpers/database';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/** The catalogue the parser reads is kept per process; a master-data change is seen by the next message. */
let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await importMasterData(database.prisma, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\n', 'csv');
});
afterAll(() => database.close());

it('reads the catalogue once while it is unchanged, and again when a SKU is added, renamed or re-aliased', async () => {
  const db = { db: database.prisma };
  const first = await loadCatalogue(db);
  expect(first.map((s) => s.code).sort()).toEqual(['CREAM', 'MILK']);
  expect(await loadCatalogue(db)).toBe(first);

  await importMasterData(database.prisma, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nTEA,红茶,,茶叶,袋,,12\n', 'csv');
  const added = await loadCatalogue(db);
  expect(added.map((s) => s.code).sort()).toEqual(['CREAM', 'MILK', 'TEA']);
  expect(await loadCatalogue(db)).toBe(added);

  // The same number of SKUs, one of them changed.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await importMasterData(database.prisma, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nTEA,红茶,锡兰红茶,茶叶,袋,,12\n', 'csv');
  expect((await loadCatalogue(db)).find((s) => s.code === 'TEA')!.aliases).toEqual(['锡兰红茶']);
});

describe('in chat', () => {
  const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z'));
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ features: [stockFeature], clock });
    await importMasterData(h.app.db, 'stores', 'code,name\nS1,一店\n', 'csv');
    await importMasterData(h.app.db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\n', 'csv');
    await importMasterData(h.app.db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\n', 'csv');
  });
  afterAll(() => h.stop());

  it('books a SKU imported after the catalogue was first read, under its new alias', async () => {
    const chat = stockChat(h, clock);
    expect((await chat.say('xiaomei', '入库 牛奶 1箱')).body).toMatchObject({ main_title: { title: '已入库 牛奶 1箱（12盒）' } });
    expect((await chat.say('xiaomei', '入库 鲜乳 1箱')).body.content).toContain('没找到商品「鲜乳」');
    await importMasterData(h.app.db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,鲜乳,乳品,盒,箱=12,6.5\n', 'csv');
    clock.advance(60_000);
    expect((await chat.say('xiaomei', '入库 鲜乳 1箱')).body).toMatchObject({ main_title: { title: '已入库 牛奶 1箱（12盒）' } });
  });
});
