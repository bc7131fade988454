import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/** A production (出炉) makes a batch of what it made, with its shelf life, and takes its ingredients from the batches that expire first. */
const clock = new TestClock(Date.parse('2026-11-25T01:00:00Z')); // 09:00 in Shanghai
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\n', 'csv');
  await importMasterData(
    db,
    'skus',
    'code,name,aliases,category,base_unit,pack_units,cost_price,shelf_life_days\nFLOUR,高筋面粉,面粉,烘焙,袋,箱=10,38,180\nBUTTER,黄油,,烘焙,块,箱=20,24,\nTOAST,吐司,白吐司,烘焙,条,,0,2\n',
    'csv',
  );
  const recipes = await importMasterData(
    db,
    'recipes',
    'product,store,valid_from,yield,batch_unit,modifier,sku,quantity,factor\nTOAST,,2026-11-01,10,批,,FLOUR,0.5,\nTOAST,,2026-11-01,10,批,,BUTTER,1,\n',
    'csv',
    { now: clock.now() },
  );
  expect(recipes).toMatchObject({ ok: true });
}, 60_000);
afterAll(() => h.stop());
beforeEach(() => clock.advance(61_000));

const batches = async (sku: string) =>
  (await h.app.db.stockBatch.findMany({ where: { storeCode: 'S1', skuCode: sku }, orderBy: [{ expiresOn: 'asc' }, { id: 'asc' }] })).map((b) => [
    b.expiresOn?.toISOString().slice(0, 10) ?? null,
    b.remaining.toNumber(),
  ]);

it('books the toast in with its shelf life and takes the flour that expires first', async () => {
  await chat.say('xiaomei', '入库 面粉 1袋 效期 12月30日');
  clock.advance(61_000);
  await chat.say('xiaomei', '入库 面粉 1袋 效期 12月10日 黄油 5块 效期 12月20日');
  clock.advance(61_000);
  await chat.say('xiaomei', '出炉 吐司 20条');
  expect(await chat.onHand('S1', 'TOAST')).toBe(20);
  expect(await batches('TOAST')).toEqual([['2026-11-27', 20]]);
  expect(await batches('FLOUR')).toEqual([
    ['2026-12-10', 0],
    ['2026-12-30', 1],
  ]);
  expect(await batches('BUTTER')).toEqual([['2026-12-20', 3]]);
});
