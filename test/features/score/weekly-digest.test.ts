import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Feature } from '../../../src/bot/registry';
import { importMasterData } from '../../../src/features/masterdata/import';
import { scoreFeature } from '../../../src/features/score';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';

/**
 * The Monday digest: written from the week's computed figures — by the configured model when it
 * keeps to them, otherwise (model off, down, off-schema, or a number not in the figures) by the
 * deterministic template. The model here is a local OpenAI-compatible server.
 */
const FIRE = new Date('2026-11-23T01:30:00Z'); // Monday 09:30 Shanghai
const clock = new TestClock(FIRE.getTime());
const periods: { start: string; end: string }[] = [];
const parts: Feature = {
  name: 'parts',
  register: (bot) => {
    bot.scorePart('inventoryAccuracy', async (_db, period) => {
      periods.push({ start: period.start.toISOString(), end: period.end.toISOString() });
      return new Map([
        ['S1', { ratio: 0.99, facts: {}, losses: [] }],
        ['S2', { ratio: 0.945, facts: {}, losses: [{ label: '奶油 盘亏 6盒', lost: 1 }] }],
      ]);
    });
  },
};

let modelAnswer: string | null = null;
const prompts: string[] = [];
const model = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    prompts.push(JSON.parse(body).messages[0].content);
    if (modelAnswer === null) {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"down"}}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: modelAnswer } }] }));
  });
});

let h: Harness;
beforeAll(async () => {
  await new Promise<void>((r) => model.listen(0, '127.0.0.1', r));
  const modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`;
  h = await startHarness({ features: [scoreFeature, parts], clock, env: { OPENAI_BASE_URL: modelUrl, OPENAI_API_KEY: 'k', OPENAI_MODEL: 'm' } });
  await importMasterData(h.app.db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\n', 'csv');
  await importMasterData(h.app.db, 'staff', 'userid,name,store,role,area\narea1,刘经理,,区域经理,华东区\nboss,总部,,管理员,\n', 'csv');
});
afterAll(async () => {
  await h.stop();
  await new Promise((r) => model.close(r));
});

let fire = FIRE.getTime() - 7 * 86_400_000;
const runDigest = async () => {
  // A new fire each time: one fire's messages are sent once.
  fire += 7 * 86_400_000;
  await h.app.scheduler.runJob(
    h.app.bot.jobs.find((j) => j.name === 'score.sendWeeklyDigest')!,
    new Date(fire),
  );
  await h.settle();
  return h.fake.inbox('area1').at(-1)!.body.content as string;
};

const figures = [
  '',
  '> 一店：30.0/30 分（不完整，缺交接完整度、会员活跃度、任务及时率）',
  '> 二店：15.0/30 分（不完整，缺交接完整度、会员活跃度、任务及时率），丢分最多：库存准确率：奶油 盘亏 6盒 −15.0',
];

it('puts the model summary above the computed figures when it uses only those figures', async () => {
  modelAnswer = JSON.stringify({ summary: '华东区两家门店本周只有库存准确率有数据。二店 15.0/30 分，主要丢在奶油盘亏。', highlights: ['二店：奶油 盘亏 6盒，丢 15.0 分'] });
  const text = await runDigest();
  expect(periods.at(-1)).toEqual({ start: '2026-11-15T16:00:00.000Z', end: '2026-11-22T16:00:00.000Z' });
  expect(text).toBe(
    ['**华东区 · 本周门店健康分（11/16–11/22）**', '华东区两家门店本周只有库存准确率有数据。二店 15.0/30 分，主要丢在奶油盘亏。', '- 二店：奶油 盘亏 6盒，丢 15.0 分', ...figures].join('\n'),
  );
  expect(prompts.at(-1)).toContain('"store": "二店"');
  expect(prompts.at(-1)).toContain('只能使用下面 JSON 中的数字和事实');
  // The admin's digest covers the chain, written for them.
  expect(h.fake.inbox('boss').at(-1)!.body.content).toContain('**全部门店 · 本周门店健康分');
});

it('sends the template instead when the model writes a number that is not in the figures', async () => {
  modelAnswer = JSON.stringify({ summary: '二店比上周下降 8 分。', highlights: [] });
  const text = await runDigest();
  expect(text).toBe(
    [
      '**华东区 · 本周门店健康分（11/23–11/29）**',
      '2 家门店，2 家有分数，0 家四项齐全。最好：一店 30.0/30 分（不完整，缺交接完整度、会员活跃度、任务及时率）；最需关注：二店 15.0/30 分（不完整，缺交接完整度、会员活跃度、任务及时率）。',
      ...figures,
    ].join('\n'),
  );
});

it('sends the template when the model answers off-schema or is down', async () => {
  modelAnswer = JSON.stringify({ text: 'hello' });
  expect(await runDigest()).toContain('2 家门店，2 家有分数');
  modelAnswer = null;
  expect(await runDigest()).toContain('2 家门店，2 家有分数');
});
