import { consoleMiddleware } from '../../../src/console';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { signIn } from '../../console/helpers';
import { stockChat } from './chat';

/**
 * A count's accuracy reads the same in its closing message and on the console (src/percent.ts):
 * 2 of 3 SKUs within tolerance is 66.7% in both, where chat used to cut it to 66.6%.
 */
const clock = new TestClock();
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock, middleware: consoleMiddleware, env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40) } });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nboss,王店长,S1,店长\nzhang,张三,S1,店员\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,,6\nCREAM,奶油,,乳品,盒,,6\nTEA,红茶,,茶叶,袋,,6\n', 'csv');
  for (const text of ['入库 牛奶 10盒', '入库 奶油 10盒', '入库 红茶 10袋']) {
    clock.advance(61_000);
    await chat.say('zhang', text);
  }
}, 120_000);
afterAll(() => h.stop());

it('shows 66.7% within tolerance in the closing message and on the console page', async () => {
  for (const [user, text] of [
    ['boss', '开始盘点'],
    ['zhang', '盘点 牛奶 10盒'],
    ['zhang', '盘点 奶油 10盒'],
    ['zhang', '盘点 红茶 7袋'],
    ['boss', '结束盘点'],
  ]) {
    clock.advance(61_000);
    await chat.say(user, text);
  }
  const report = String(h.fake.inbox('boss').at(-2)!.body.content);
  // By quantity: 1 − 3/30 = 90%; by cost the same; 2/3 within ±2%.
  expect(report).toContain('准确率：按数量 90.0%，按金额 90.0%；差异在 ±2% 内的商品 2/3（66.7%）。');

  const boss = await signIn(h, 'boss');
  const counts = (await (await boss.get('/console/api/stores/S1/sections/counts')).json()) as { summary: string; rows: { cells: Record<string, unknown> }[] };
  expect(counts.rows[0].cells).toMatchObject({ withinTolerance: 66.7, byQuantity: 90, byCost: 90 });
  expect(counts.summary).toContain('差异在 ±2% 内的商品 2/3（66.7%）');
});
