import type { Feature, PartMeasure, ScorePartName } from '../../../src/bot/registry';
import { importMasterData } from '../../../src/features/masterdata/import';
import { scoreFeature } from '../../../src/features/score';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';

/**
 * The monthly score for stores whose data is known in advance. Worked by hand with the default
 * rules (points = weight × (ratio − zero) / (full − zero), capped to 0..weight, one decimal):
 *
 * S1 (all four parts):
 *   库存准确率 0.981: 30 × (0.981 − 0.90) / 0.09 = 27.0   (lost 3.0 for a shortfall of 0.019: 奶油 0.012 → 1.9, 牛奶 0.006 → 0.9)
 *   交接完整度 0.86 : 25 × (0.86 − 0.50) / 0.45 = 20.0   (lost 5.0 for 0.14: 晚班未交接 0.07 → 2.5)
 *   会员活跃度 0.65 : 25 × (0.65 − 0.30) / 0.70 = 12.5   (lost 12.5, no detail → the part itself)
 *   任务及时率 0.90 : 20 × (0.90 − 0.50) / 0.45 = 17.8   (lost 2.2)
 *   total 77.3 of 100; September was 74.0 with all parts → +3.3; biggest losses 12.5, 2.5, 2.2.
 * S2 (no handover data): 30 + 25 + 0 = 55.0 of the available 75 → 73.3% for the ranking.
 * S3 (华南区): no data at all → "无数据", ranked last, no made-up number.
 */
const FIRE = new Date('2026-11-01T01:00:00Z'); // 1 Nov 09:00 in Shanghai
const clock = new TestClock(FIRE.getTime());
const DATA: Record<ScorePartName, Record<string, PartMeasure>> = {
  inventoryAccuracy: {
    S1: {
      ratio: 0.981,
      facts: { counts: 4, accuracyByQuantity: 0.981 },
      losses: [
        { label: '奶油 盘亏 12盒', lost: 0.012 },
        { label: '牛奶 盘亏 3盒', lost: 0.006 },
      ],
    },
    S2: { ratio: 0.995, facts: { counts: 4 }, losses: [] },
  },
  handoverCompleteness: { S1: { ratio: 0.86, facts: { complete: 43, shifts: 50 }, losses: [{ label: '10/3 晚班未交接', lost: 0.07 }] } },
  memberActivity: { S1: { ratio: 0.65, facts: { activeShare: 0.26, chainMedian: 0.4 }, losses: [] }, S2: { ratio: 1, facts: {}, losses: [] } },
  taskTimeliness: { S1: { ratio: 0.9, facts: { tasks: 40, medianDelayMinutes: 12 }, losses: [] }, S2: { ratio: 0.5, facts: {}, losses: [] } },
};
const calls: { part: string; start: string; end: string; stores: string[] }[] = [];
const knownData: Feature = {
  name: 'knownData',
  register: (bot) => {
    for (const [part, byStore] of Object.entries(DATA) as [ScorePartName, Record<string, PartMeasure>][]) {
      bot.scorePart(part, async (_db, period, storeCodes) => {
        calls.push({ part, start: period.start.toISOString(), end: period.end.toISOString(), stores: storeCodes });
        return new Map(Object.entries(byStore).filter(([code]) => storeCodes.includes(code)));
      });
    }
  },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [scoreFeature, knownData], clock, env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 'x'.repeat(32) } });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\nS3,三店,华南区\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role,area\nm1,周店长,S1,店长,\nm2,吴店长,S2,店长,\nm3,郑店长,S3,店长,\narea1,刘经理,,区域经理,华东区\n', 'csv');
  const september = { inventoryAccuracy: 27, handoverCompleteness: 20, memberActivity: 10, taskTimeliness: 17 };
  await db.storeScore.create({
    data: {
      storeCode: 'S1',
      month: '2026-09',
      points: 74,
      availablePoints: 100,
      complete: true,
      parts: Object.entries(september).map(([name, points]) => ({ name, points, weight: 0, ratio: 0, facts: {}, losses: [] })),
      computedAt: new Date('2026-10-01T01:00:00Z'),
    },
  });
});
afterAll(() => h.stop());

const runPush = async () => {
  await h.app.scheduler.runJob(
    h.app.bot.jobs.find((j) => j.name === 'score.pushMonthlyScores')!,
    FIRE,
  );
  await h.settle();
};

it('runs at 09:00 on the 1st and measures October in Shanghai time for every store', async () => {
  expect(h.app.bot.jobs.find((j) => j.name === 'score.pushMonthlyScores')!.schedule).toBe('0 9 1 * *');
  await runPush();
  expect(calls).toHaveLength(4);
  for (const call of calls) expect(call).toMatchObject({ start: '2026-09-30T16:00:00.000Z', end: '2026-10-31T16:00:00.000Z', stores: ['S1', 'S2', 'S3'] });
});

it('stores the score checked by hand, a partial score as points of the available maximum, and no number for a store without data', async () => {
  const rows = await h.app.db.storeScore.findMany({ where: { month: '2026-10' }, orderBy: { storeCode: 'asc' } });
  expect(rows.map((r) => [r.storeCode, r.points?.toNumber() ?? null, r.availablePoints, r.complete])).toEqual([
    ['S1', 77.3, 100, true],
    ['S2', 55, 75, false],
    ['S3', null, 0, false],
  ]);
  const s1 = rows[0].parts as { name: string; points: number }[];
  expect(Object.fromEntries(s1.map((p) => [p.name, p.points]))).toEqual({ inventoryAccuracy: 27, handoverCompleteness: 20, memberActivity: 12.5, taskTimeliness: 17.8 });
  const s2 = rows[1].parts as { name: string; points: number | null }[];
  expect(s2.find((p) => p.name === 'handoverCompleteness')!.points).toBeNull();
});

it('sends the store manager the score, its parts, the change on September and the three biggest losses', async () => {
  const [message] = h.fake.inbox('m1');
  expect(message.msgtype).toBe('markdown');
  expect(message.body.content).toBe(
    [
      '**一店 · 2026年10月门店健康分**',
      '得分：**77.3 分**（比9月 +3.3 分）',
      '> 库存准确率 27.0/30',
      '> 交接完整度 20.0/25',
      '> 会员活跃度 12.5/25',
      '> 任务及时率 17.8/20',
      '丢分最多的三项：',
      '1. 会员活跃度  −12.5 分',
      '2. 交接完整度：10/3 晚班未交接  −2.5 分',
      '3. 任务及时率  −2.2 分',
      '[在管理台查看](https://bot.example.com/console/store/S1)',
    ].join('\n'),
  );
  expect(h.fake.inbox('m2')[0].body.content).toContain('得分：**55.0/75 分（不完整，缺交接完整度）**（9月无分数可比）');
  expect(h.fake.inbox('m2')[0].body.content).toContain('> 交接完整度 缺数据');
  expect(h.fake.inbox('m3')[0].body.content).toContain('本月四项都没有数据，没有分数。');
});

it('sends the area manager the ranking of their stores only', async () => {
  const [ranking] = h.fake.inbox('area1');
  expect(ranking.body.content).toBe(
    [
      '**华东区 · 2026年10月门店健康分排名**',
      '1. 一店：77.3 分（比9月 +3.3 分）',
      '2. 二店：55.0/75 分（不完整，缺交接完整度）（9月无分数可比）',
      '> 不完整的分数按"已有项得分 / 已有项满分"排名。',
      '[在管理台查看](https://bot.example.com/console/)',
    ].join('\n'),
  );
  expect(ranking.body.content).not.toContain('三店');
});

it('sends nothing twice when the same fire runs again', async () => {
  const before = h.fake.messages.length;
  await h.app.db.cronRun.deleteMany();
  await runPush();
  expect(h.fake.messages.length).toBe(before);
  expect(await h.app.db.storeScore.count({ where: { month: '2026-10' } })).toBe(3);
});
