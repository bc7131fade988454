import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { visibleText } from '../../../src/platform/sender';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/** 查库存 through the encrypted callback: an area manager or admin names the store first, as with 开始盘点. */
const clock = new TestClock();
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,aliases,area\nS001,一店 · 人民路,一店,华东区\nS002,二店 · 滨江路,二店,华东区\nS003,三店 · 中山路,三店,华南区\n', 'csv');
  await importMasterData(
    db,
    'staff',
    'userid,name,store,role,area\nxiaomei,张小美,S001,店员,\nchenjing,陈静,S002,店员,\nwang,王芳,S003,店员,\neast,刘经理,,区域经理,华东区\nhq,总部,,管理员,\n',
    'csv',
  );
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\n', 'csv');
  await chat.say('chenjing', '入库 奶油 13盒');
  await chat.say('wang', '入库 奶油 2箱');
  await chat.say('xiaomei', '入库 奶油 5盒');
}, 120_000);
afterAll(() => h.stop());
// WeCom lets one member receive 30 messages a minute: each step is a minute apart.
beforeEach(() => clock.advance(61_000));

// A repeated answer carries invisible marks (WeCom's duplicate check): read what a person sees.
const answer = async (user: string, text: string) => visibleText(String((await chat.say(user, text)).body.content));

it("answers an area manager's 查库存 二店 奶油 for that store of their area", async () => {
  expect(await answer('east', '查库存 二店 奶油')).toBe('二店 · 滨江路 奶油 现有 13盒（约 1箱）');
  expect(await answer('east', '查库存 S001 奶油')).toBe('一店 · 人民路 奶油 现有 5盒');
  expect(await answer('hq', '库存 三店 奶油')).toBe('三店 · 中山路 奶油 现有 24盒（约 2箱）');
});

it("refuses a store outside the area manager's area, and asks for a store when none is named", async () => {
  expect(await answer('east', '查库存 三店 奶油')).toBe('三店 · 中山路不在你负责的区域（华东区），只能查看和操作本区域的门店。');
  expect(await answer('east', '开始盘点 三店 乳品')).toBe('三店 · 中山路不在你负责的区域（华东区），只能查看和操作本区域的门店。');
  expect(await h.app.db.stockCount.count()).toBe(0);
  expect(await answer('east', '查库存 奶油')).toBe('请先写门店，例如：查库存 二店 奶油');
  expect(await answer('hq', '开始盘点')).toBe('请先写门店，例如：开始盘点 二店 乳品');
  expect(await answer('hq', '结束盘点')).toBe('请先写门店，例如：结束盘点 二店');
});

it('refuses an area manager or admin who has left (inactive) any store but their own, as every feature does', async () => {
  await importMasterData(h.app.db, 'staff', 'userid,name,store,role,area,active\nold,老经理,,区域经理,华东区,否\nformer,前总部,,管理员,,否\n', 'csv');
  expect(await answer('old', '查库存 二店 奶油')).toBe('你在员工名单里已停用，不能查看和操作二店 · 滨江路。如有误请联系管理员。');
  expect(await answer('former', '开始盘点 三店 乳品')).toBe('你在员工名单里已停用，不能查看和操作三店 · 中山路。如有误请联系管理员。');
  expect(await h.app.db.stockCount.count()).toBe(0);
});

it('shows packs only from one pack up: never "约 0箱"', async () => {
  expect(await answer('xiaomei', '查库存 牛奶')).toBe('一店 · 人民路 牛奶 现有 0盒');
  expect(await answer('xiaomei', '查库存 奶油')).toBe('一店 · 人民路 奶油 现有 5盒');
  // Staff of a store never name one: the words are the SKU's.
  expect(await answer('chenjing', '查库存 奶油')).toBe('二店 · 滨江路 奶油 现有 13盒（约 1箱）');
});
