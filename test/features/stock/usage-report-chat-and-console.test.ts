import crypto from 'node:crypto';
import { consoleMiddleware } from '../../../src/console';
import { signSync, syncSigningString } from '../../../src/edge/sync';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { visibleText } from '../../../src/platform/sender';
import type { DeliveredMessage } from '../../../src/sandbox/fake-wecom';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { eventMessage, innerXml } from '../../helpers/wecom-callback';
import { signIn } from '../../console/helpers';
import { stockChat } from './chat';

/**
 * The usage report through the real callback: a store's second approved count closes a period,
 * and the manager who approved gets the report and a card to give each line a reason; staff give
 * one in chat (`差异原因 …`), which supersedes; `用量` and the console show the latest.
 */
const POS_SECRET = 'pos-secret-0123456789';
const clock = new TestClock(new Date('2026-11-30T02:00:00Z').getTime());
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({
    features: [stockFeature],
    clock,
    middleware: consoleMiddleware,
    env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40), SYNC_KEYS: `pos:${POS_SECRET}` },
  });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nboss,王店长,S1,店长\nzhang,张三,S1,店员\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,,6\nCREAM,奶油,,乳品,盒,,28\n', 'csv');
  await importMasterData(db, 'menu-items', 'code,name,price\nLATTE,拿铁,20\n', 'csv');
  await importMasterData(db, 'recipes', 'product,store,valid_from,yield,batch_unit,modifier,sku,quantity,factor\nLATTE,,2026-11-01,,,,MILK,1,\n', 'csv', { now: clock.now() });
  for (const text of ['入库 牛奶 10盒', '入库 奶油 10盒']) await say('zhang', text);
}, 120_000);
afterAll(() => h.stop());

/** Posts a document to the sync API as the POS, signed. */
function post(document: string, docs: unknown) {
  const body = JSON.stringify(docs);
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  const nonce = crypto.randomUUID();
  const path = `/api/sync/${document}`;
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-sync-source': 'pos',
      'x-sync-timestamp': timestamp,
      'x-sync-nonce': nonce,
      'x-sync-signature': signSync(POS_SECRET, syncSigningString(timestamp, nonce, 'POST', path, body)),
    },
  });
}

async function say(user: string, text: string) {
  clock.advance(61_000);
  return chat.say(user, text);
}

async function count(entries: string[]) {
  await say('boss', '开始盘点');
  for (const entry of entries) await say('zhang', entry);
  await say('boss', '结束盘点');
  const card = h.fake.inbox('boss').findLast((m) => m.msgtype === 'template_card')!;
  clock.advance(61_000);
  await chat.tap('boss', card, '确认调整');
}

/** Submits a multiple-interaction card with these options chosen (question key → option id). */
async function submit(user: string, card: DeliveredMessage, chosen: Record<string, string>) {
  const taskId = String(card.body.task_id);
  const selected = Object.entries(chosen)
    .map(([q, o]) => `<SelectedItem><QuestionKey><![CDATA[${q}]]></QuestionKey><OptionIds><OptionId><![CDATA[${o}]]></OptionId></OptionIds></SelectedItem>`)
    .join('');
  const extra = innerXml({ TaskId: taskId, CardType: 'multiple_interaction', ResponseCode: h.fake.issueResponseCode(taskId) }).slice(5, -6) + `<SelectedItems>${selected}</SelectedItems>`;
  clock.advance(61_000);
  await h.deliver(eventMessage(h.keys, user, 'template_card_event', (card.body.submit_button as { key: string }).key, extra, Math.floor(clock.now().getTime() / 1000)), {
    timestamp: String(Math.floor(clock.now().getTime() / 1000)),
  });
  await h.settle();
  return h.fake.inbox(user).at(-1)!;
}

/** The words of a text message, without the marks the sender adds. */
const words = (m: DeliveredMessage) => visibleText(m.body.content);
const reasons = async () => (await h.app.db.stockUsageReason.findMany({ orderBy: { id: 'asc' } })).map((r) => [r.skuCode, r.reason, r.source, r.assignedBy]);

it('sends no report after a store’s first count: it opens periods and closes none', async () => {
  await count(['盘点 牛奶 10盒', '盘点 奶油 10盒']);
  expect(words(h.fake.inbox('boss').at(-1)!)).toContain('盘点 #1 已确认');
});

it('reports the period a count closes to the manager who approved it, and takes the reasons from its card', async () => {
  await say('zhang', '入库 牛奶 24盒');
  await say('zhang', '报损 牛奶 2盒 过期');
  // The till sells 10 拿铁 (¥20 on the menu, no amount sent: ¥200); the recipe books their 牛奶 as `sale` moves.
  clock.advance(61_000);
  const sold = await post('sales', [{ id: 'POS-1', store: 'S1', occurred_at: clock.now().toISOString(), lines: [{ item: 'LATTE', quantity: 10 }] }]);
  expect(await sold.json()).toMatchObject({ booked: 1, moves: 1, unmapped: 0 });
  const before = h.fake.inbox('boss').length;
  // MILK: 10 + 24 − 20 = 14 used, 2 wasted + 10 sold = 12 explained: 2 more (¥12). CREAM: 1 used, nothing explained (¥28).
  await count(['盘点 牛奶 20盒', '盘点 奶油 9盒']);
  const after = h.fake.inbox('boss').slice(before);
  const report = after.find((m) => words(m).includes('用量报告'));
  expect(report).toBeDefined();
  const text = words(report!);
  expect(text).toContain('一店 用量报告（盘点 #1 → #2');
  expect(text).toContain('理论用量 ¥72.00，实际用量 ¥112.00，差异 +¥40.00（占销售 20.0%）');
  expect(text.indexOf('1. 奶油 理论 0盒 实际 1盒 差 +1盒（+¥28.00，占销售 14.0%）原因：未填')).toBeGreaterThan(0);
  expect(text).toContain('2. 牛奶 理论 12盒 实际 14盒 差 +2盒（+¥12.00，占销售 6.0%）原因：未填');
  expect(text).toContain('差异原因 奶油 份量');

  const card = after.at(-1)!;
  expect(card.body.card_type).toBe('multiple_interaction');
  expect((card.body.select_list as { question_key: string }[]).map((q) => q.question_key)).toEqual(['CREAM', 'MILK']);
  const answer = await submit('boss', card, { CREAM: 'count_error', MILK: 'portioning' });
  expect(words(answer)).toBe('已记盘点 #2 的差异原因：奶油「盘点差错」，牛奶「份量」。');
  expect(await reasons()).toEqual([
    ['CREAM', 'count_error', 'card', 'boss'],
    ['MILK', 'portioning', 'card', 'boss'],
  ]);
});

it('lets staff give a reason in chat, which supersedes the earlier one; 用量 shows it', async () => {
  expect(words(await say('zhang', '差异原因 牛奶失窃'))).toBe('已记差异原因：盘点 #2 牛奶「失窃」（理论 12盒，实际 14盒，差 +2盒）。');
  expect(words(await say('zhang', '差异原因 牛奶 失窃'))).toContain('牛奶的差异原因已经是「失窃」');
  expect(words(await say('zhang', '差异原因 牛奶'))).toContain('请写商品和原因');
  expect((await reasons()).at(-1)).toEqual(['MILK', 'theft', 'chat', 'zhang']);
  expect(words(await say('zhang', '用量'))).toContain('用量报告由店长');
  await say('boss', '用量');
  const shown = h.fake.inbox('boss').findLast((m) => words(m).includes('用量报告'))!;
  expect(words(shown)).toContain('牛奶 理论 12盒 实际 14盒 差 +2盒（+¥12.00，占销售 6.0%）原因：失窃');
  expect(words(shown)).toContain('奶油 理论 0盒 实际 1盒 差 +1盒（+¥28.00，占销售 14.0%）原因：盘点差错');
});

it('shows the period on the store’s console page with its chart, and takes a reason there', async () => {
  const boss = await signIn(h, 'boss');
  const section = (await (await boss.get('/console/api/stores/S1/sections/usage')).json()) as {
    summary: string;
    chart: { kind: string; series: string[] };
    rows: { id: string; cells: Record<string, unknown>; actions: { key: string; label: string }[] }[];
  };
  expect(section.summary).toContain('盘点 #1 → #2');
  expect(section.chart).toMatchObject({ kind: 'bar', category: 'name', series: ['theoreticalCost', 'actualCost'] });
  expect(section.rows.map((r) => r.cells.name)).toEqual(['奶油', '牛奶']);
  expect(section.rows[1].cells).toMatchObject({
    theoretical: '12',
    actual: '14',
    variance: '2',
    theoreticalCost: '72.00',
    actualCost: '84.00',
    varianceCost: '12.00',
    shareOfSales: 6,
    reason: '失窃',
  });
  expect(section.rows[1].actions.map((a) => a.label)).toEqual(['未记报损', '份量', '收货差错', '盘点差错', '失窃', '未映射销售']);
  const res = await boss.post(`/console/api/stores/S1/sections/usage/rows/${encodeURIComponent(section.rows[1].id)}/unrecorded_waste`);
  expect(res.status).toBe(200);
  expect((await reasons()).at(-1)).toEqual(['MILK', 'unrecorded_waste', 'console', 'boss']);
  const again = (await (await boss.get('/console/api/stores/S1/sections/usage')).json()) as typeof section;
  expect(again.rows[1].cells.reason).toBe('未记报损');
  expect((await boss.post('/console/api/stores/S1/sections/usage/rows/2:MILK/stolen')).status).toBe(400);
});
