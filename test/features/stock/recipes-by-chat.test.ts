import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { visibleText } from '../../../src/platform/sender';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/** `配方 …` shows a recipe; `出炉 …`, `煮珍珠 …` book a production by its recipe; `撤销` takes a whole message back. */
const clock = new TestClock(Date.parse('2026-11-25T01:00:00Z')); // 09:00 in Shanghai
let h: Harness;
let chat: ReturnType<typeof stockChat>;
const say = async (user: string, text: string) => visibleText((await chat.say(user, text)).body.content);

beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\nS2,二店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nboss,王店长,S1,店长\nerdian,陈静,S2,店员\n', 'csv');
  await importMasterData(
    db,
    'skus',
    `code,name,aliases,category,base_unit,pack_units,cost_price
FLOUR,高筋面粉,面粉,烘焙,袋,箱=10,38
BUTTER,黄油,,烘焙,块,箱=20,24
TOAST,吐司,白吐司,烘焙,条,,0
PEARL,珍珠,生珍珠,小料,袋,箱=20,12
PEARL_COOKED,煮好的珍珠,熟珍珠,小料,克,,0
MILK,牛奶,,乳品,盒,箱=12,6.5
TEA,红茶,,茶叶,袋,,32
`,
    'csv',
  );
  await importMasterData(db, 'menu-items', 'code,name,aliases\nMT,珍珠奶茶,奶茶\n', 'csv');
  const recipes = await importMasterData(
    db,
    'recipes',
    `product,store,valid_from,yield,batch_unit,modifier,sku,quantity,factor
TOAST,,2026-11-01,10,批,,FLOUR,0.5,
TOAST,,2026-11-01,10,批,,BUTTER,1,
PEARL_COOKED,,2026-11-01,3000,锅,,PEARL,1,
MT,,2026-11-01,,,,TEA,0.016,
MT,,2026-11-01,,,,MILK,0.15,
MT,,2026-11-01,,,,PEARL_COOKED,60,
MT,,2026-11-01,,,大杯,MILK,,1.4
MT,,2026-11-01,,,加珍珠,PEARL_COOKED,40,
MT,S2,2026-11-01,,,,TEA,0.02,
`,
    'csv',
    { now: clock.now() },
  );
  expect(recipes).toMatchObject({ ok: true });
  await chat.say('xiaomei', '入库 面粉 2袋 黄油 5块 珍珠 3袋');
}, 60_000);
afterAll(() => h.stop());

it('shows the recipe in force for the sender’s store, with its modifiers and cost', async () => {
  const recipe = await say('xiaomei', '配方 珍珠奶茶');
  expect(recipe).toContain('【配方】珍珠奶茶（总部，2026-11-01 起）');
  expect(recipe).toContain('· 牛奶 0.15盒');
  expect(recipe).toContain('· 大杯：牛奶 ×1.4');
  expect(recipe).toContain('· 加珍珠：煮好的珍珠 +40克');
  expect(await say('erdian', '配方 奶茶')).toContain('（二店专用，2026-11-01 起）');
  expect(await say('xiaomei', '配方 吐司')).toContain('每批（1批）出 10条');
  expect(await say('xiaomei', '配方 可乐')).toBe('没找到「可乐」的配方。菜单和自制半成品的配方由总部导入。');
  expect(await say('xiaomei', '配方')).toBe('查哪个配方？例如：配方 珍珠奶茶');
});

it('books a production: the prepared item in, its ingredients out by the recipe, in the base unit or the batch unit', async () => {
  expect(await say('xiaomei', '出炉 吐司 20条')).toBe(
    ['已记出炉：吐司 20条，一店现有 20条', '按配方用料（2 批）：高筋面粉 1袋、黄油 2块', '记错了发「撤销」，整笔（成品和用料）一起撤回。'].join('\n'),
  );
  expect(await chat.onHand('S1', 'FLOUR')).toBe(1);
  expect(await chat.onHand('S1', 'BUTTER')).toBe(3);
  expect(await say('xiaomei', '煮珍珠 2锅')).toContain('已记出品：煮好的珍珠 2锅（6000克），一店现有 6000克');
  expect(await chat.onHand('S1', 'PEARL')).toBe(1);
  const moves = await h.app.db.stockMove.findMany({ where: { storeCode: 'S1', kind: { in: ['production_in', 'production_out'] } }, orderBy: { id: 'asc' } });
  expect(moves.map((m) => [m.kind, m.skuCode, m.quantity.toNumber()])).toEqual([
    ['production_in', 'TOAST', 20],
    ['production_out', 'FLOUR', -1],
    ['production_out', 'BUTTER', -2],
    ['production_in', 'PEARL_COOKED', 6000],
    ['production_out', 'PEARL', -1 * 2],
  ]);
});

it('takes a whole production back with 撤销, and a multi-line receipt too', async () => {
  const undone = await say('xiaomei', '撤销');
  expect(undone).toContain('已撤销这条消息记的 2 笔');
  expect(undone).toContain('· 生产入库 煮好的珍珠 2锅（6000克），现有 0克');
  expect(undone).toContain('· 生产领用 珍珠 2袋，现有 3袋');
  await chat.say('xiaomei', '入库 牛奶 1箱 红茶 2袋');
  expect(await say('xiaomei', '撤销')).toContain('已撤销这条消息记的 2 笔');
  expect(await chat.onHand('S1', 'MILK')).toBe(0);
  expect(await chat.onHand('S1', 'TEA')).toBe(0);
  expect(await say('xiaomei', '撤销')).toContain('已经撤销过了');
});

it('refuses a production the book cannot cover, or that it cannot read, and books nothing', async () => {
  const before = await h.app.db.stockMove.count();
  expect(await say('xiaomei', '出炉 吐司 100条')).toBe('库存不够：FLOUR 现有 1袋，不能减少 5袋。');
  expect(await say('xiaomei', '出炉 吐司')).toBe('吐司做了多少？例如：出炉 吐司 20条');
  expect(await say('xiaomei', '出炉 牛奶 2盒')).toBe('「牛奶」没有自制半成品的配方，不能记出品。入库请发「入库 牛奶 …」。');
  expect(await say('xiaomei', '出炉 吐司 很多')).toBe('没看懂「吐司 很多」。写成：出炉 吐司 20条、煮珍珠 2锅（商品名 + 数量和单位）。');
  expect(await say('xiaomei', '出炉 吐司 2箱')).toContain('没看懂');
  expect(await h.app.db.stockMove.count()).toBe(before);
});
