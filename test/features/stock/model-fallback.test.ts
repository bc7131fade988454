import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { tasksFeature } from '../../../src/features/tasks';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/**
 * A stock message the parser cannot read goes to an OpenAI-compatible model (a fake one on
 * loopback); its reading is confirmed on a card before anything is booked; a slow, failing or
 * nonsensical model ends in the parser's own answer.
 */
type Answer = { status: number; body: unknown; delayMs?: number };
let next: Answer;
const requests: { path: string; body: Record<string, unknown> }[] = [];
const completion = (reading: Record<string, unknown>): Answer => ({
  status: 200,
  body: {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_764_000_000,
    model: 'fake-qwen',
    choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(reading), refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  },
});

const model = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    requests.push({ path: req.url ?? '', body: JSON.parse(raw) });
    const answer = next;
    const timer = setTimeout(() => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    }, answer.delayMs ?? 0);
    res.on('close', () => clearTimeout(timer));
  });
});

const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z')); // 10:00 in Shanghai, outside quiet hours
let h: Harness;
beforeAll(async () => {
  await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
  const port = (model.address() as AddressInfo).port;
  h = await startHarness({
    features: [stockFeature, tasksFeature],
    clock,
    env: { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'fake-qwen', STOCK_LLM_TIMEOUT_MS: '1500' },
  });
  await importMasterData(h.app.db, 'stores', 'code,name\nS1,一店\n', 'csv');
  await importMasterData(h.app.db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nliqiang,李强,S1,店员\n', 'csv');
  await importMasterData(h.app.db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,淡奶油,乳品,盒,箱=12,28\n', 'csv');
});
afterAll(async () => {
  await h.stop();
  await new Promise((resolve) => model.close(resolve));
});

let chat: ReturnType<typeof stockChat> | undefined;
const talk = () => (chat ??= stockChat(h, clock));
const say = (user: string, text: string) => talk().say(user, text);
const tap = (user: string, card: { body: Record<string, unknown> }, buttonText: string) => talk().tap(user, card, buttonText);
const readingTask = async () => {
  const reading = await h.app.db.stockModelReading.findFirstOrThrow({ orderBy: { inboundId: 'desc' } });
  return h.app.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'stock.modelReading', sourceRef: `model-reading:${reading.inboundId}` } } });
};
const runJob = async (name: string) => {
  await h.app.scheduler.runJob(
    h.app.bot.jobs.find((j) => j.name === name)!,
    clock.now(),
  );
  await h.settle();
};
const onHand = async (sku: string) => (await h.app.db.stockBalance.findUnique({ where: { storeCode_skuCode: { storeCode: 'S1', skuCode: sku } } }))?.onHand.toNumber() ?? 0;

it('offers the model’s reading on a card and books it once, on the sender’s 确认', async () => {
  next = completion({ action: 'receipt', sku: 'CREAM', quantity: 20, unit: '箱', note: null });
  const card = await say('xiaomei', '收到淡奶油廿箱');
  expect(card.body).toMatchObject({
    main_title: { title: '我这样理解，对吗？', desc: '「收到淡奶油廿箱」' },
    horizontal_content_list: [{ value: '入库' }, { value: '奶油' }, { value: '20箱（240盒）' }],
  });
  expect(await onHand('CREAM')).toBe(0);

  const request = requests.at(-1)!;
  expect(request.path).toBe('/v1/chat/completions');
  expect(request.body).toMatchObject({ model: 'fake-qwen', response_format: { type: 'json_schema', json_schema: { name: 'stock_entry' } } });
  const messages = request.body.messages as { role: string; content: string }[];
  expect(messages[0].content).toContain('CREAM | 奶油 | 淡奶油 | 盒、箱=12盒');
  expect(messages[1]).toEqual({ role: 'user', content: '收到淡奶油廿箱' });

  expect((await tap('liqiang', card, '确认')).body.content).toBe('只能确认你自己发的消息。');
  expect((await tap('xiaomei', card, '确认')).body).toMatchObject({ main_title: { title: '已入库 奶油 20箱（240盒）' } });
  expect(h.fake.cardView(String(card.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已确认' });
  expect((await tap('xiaomei', card, '确认')).body.content).toBe('这一笔已经记过了。');
  expect(await onHand('CREAM')).toBe(240);
  expect(await readingTask()).toMatchObject({ state: 'done', closedBy: 'xiaomei' });
  expect((await tap('xiaomei', card, '不对')).body.content).toBe('这一笔已经确认了；记错了请发「撤销」。');
  expect(await h.app.db.stockModelReading.findFirstOrThrow({ where: { skuCode: 'CREAM' } })).toMatchObject({ status: 'confirmed' });
});

it('books nothing when the sender says the reading is wrong', async () => {
  next = completion({ action: 'waste', sku: 'MILK', quantity: 2, unit: '盒', note: '打翻' });
  const card = await say('xiaomei', '报损 那个奶两大盒');
  expect(card.body).toMatchObject({ horizontal_content_list: [{ value: '报损' }, { value: '牛奶' }, { value: '2盒' }, { value: '打翻' }] });
  expect((await tap('xiaomei', card, '不对')).body.content).toContain('没有记账');
  expect(await h.app.db.stockMove.count({ where: { skuCode: 'MILK' } })).toBe(0);
  expect(await readingTask()).toMatchObject({ state: 'cancelled' });
  expect((await tap('xiaomei', card, '确认')).body.content).toBe('这条识别已经放弃了，没有记账。');
  expect(await h.app.db.stockMove.count({ where: { skuCode: 'MILK' } })).toBe(0);
});

it('answers as without a model when the reading does not hold up', async () => {
  next = completion({ action: 'receipt', sku: 'DURIAN', quantity: 1, unit: '箱', note: null });
  expect((await say('xiaomei', '入库 榴莲 1箱')).body.content).toContain('没找到商品「榴莲」');
  next = completion({ action: 'receipt', sku: 'MILK', quantity: 0, unit: '箱', note: null });
  expect((await say('xiaomei', '收到牛奶廿箱')).body.content).toContain('请带上数量');
  next = completion({ action: 'receipt', sku: 'MILK', quantity: 2, unit: '桶', note: null });
  expect((await say('xiaomei', '入库 牛奶 2桶')).body.content).toBe('「牛奶」没有「桶」这个单位，可用：盒、箱。');
  next = completion({ action: 'unknown', sku: '', quantity: 0, unit: '', note: null });
  expect((await say('xiaomei', '入库 那个东西')).body.content).toContain('请带上数量');
});

it('answers as without a model when the model is slow or down', async () => {
  next = { ...completion({ action: 'receipt', sku: 'MILK', quantity: 2, unit: '箱', note: null }), delayMs: 6_000 };
  const started = Date.now();
  expect((await say('xiaomei', '收到牛奶廿箱')).body.content).toContain('请带上数量');
  expect(Date.now() - started).toBeLessThan(5_000);
  next = { status: 500, body: { error: { message: 'upstream down' } } };
  expect((await say('xiaomei', '收到牛奶廿箱')).body.content).toContain('请带上数量');
  expect(await h.app.db.stockModelReading.count({ where: { skuCode: 'MILK', kind: 'receipt' } })).toBe(0);
});

it('never asks the model about a message the parser reads', async () => {
  const before = requests.length;
  expect((await say('xiaomei', '入库 牛奶 1箱')).body).toMatchObject({ main_title: { title: '已入库 牛奶 1箱（12盒）' } });
  expect(requests.length).toBe(before);
});

it('reminds the sender of a reading nobody answers once, then makes it void: nothing booked, the sender told', async () => {
  next = completion({ action: 'waste', sku: 'MILK', quantity: 1, unit: '盒', note: '过期' });
  const card = await say('xiaomei', '报损 那个奶 一小盒');
  expect(card.body).toMatchObject({ main_title: { title: '我这样理解，对吗？' } });
  const opened = await readingTask();
  expect(opened).toMatchObject({ state: 'open', assignee: 'xiaomei', ladder: 'stock.modelReading', dueAt: new Date(clock.now().getTime() + 30 * 60_000) });
  const cards = () => h.fake.inbox('xiaomei').filter((m) => m.msgtype === 'template_card');
  const before = cards().length;
  const othersBefore = h.fake.inbox('liqiang').length;

  clock.advance(29 * 60_000);
  await runJob('tasks.walkDue');
  expect(cards()).toHaveLength(before);
  clock.advance(60_000);
  await runJob('tasks.walkDue');
  expect(cards()).toHaveLength(before + 1);
  const reminder = cards().at(-1)!;
  expect(reminder.body).toMatchObject({ main_title: { title: '待确认：报损 牛奶 1盒' } });
  expect((reminder.body.button_list as { text: string }[]).map((b) => b.text)).toEqual(['确认', '不对']);

  // The ladder expires it an hour after the reminder, before the entry would count as late.
  clock.advance(59 * 60_000);
  await runJob('tasks.walkDue');
  expect((await readingTask()).state).toBe('open');
  clock.advance(61_000);
  await runJob('tasks.walkDue');
  expect((await readingTask()).state).toBe('expired');
  await runJob('stock.expireConfirmations');
  await runJob('stock.expireConfirmations');
  const told = h.fake.inbox('xiaomei').filter((m) => m.msgtype === 'text' && String(m.body.content).includes('已作废'));
  expect(told.map((m) => m.body.content)).toEqual(['你发的「报损 那个奶 一小盒」我的理解一直没有确认，已作废，没有记账。请写清楚再发一次，例如：入库 奶油 20箱']);
  expect((await tap('xiaomei', reminder, '确认')).body.content).toBe('这条识别太久没有确认，已作废，没有记账。请写清楚再发一次，例如：入库 奶油 20箱');
  expect(h.fake.cardView(String(reminder.body.task_id), 'xiaomei')).toMatchObject({ replacedName: '已过期' });
  expect(await h.app.db.stockMove.count({ where: { skuCode: 'MILK', kind: 'waste' } })).toBe(0);
  // A reading is the sender's own words: nobody else is asked to confirm it.
  expect(h.fake.inbox('liqiang')).toHaveLength(othersBefore);
});
