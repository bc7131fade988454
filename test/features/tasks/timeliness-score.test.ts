import { BotRegistry } from '../../../src/bot/registry';
import { loadConfig } from '../../../src/config';
import type { Database } from '../../../src/db';
import { ackTask, closeTask, openTask, tasksFeature } from '../../../src/features/tasks';
import { openTestDatabase } from '../../helpers/database';

/** The health score's taskTimeliness part, on tasks whose fate is known, checked by hand. */
let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

/** Wall-clock time in Shanghai. */
const cst = (local: string) => new Date(`${local}+08:00`);
const NOVEMBER = { start: cst('2026-11-01T00:00:00'), end: cst('2026-12-01T00:00:00') };

async function task(store: string, ref: string, kind: string, title: string, due: string, fate: { ack?: string; done?: string; expired?: string; cancelled?: string }) {
  const db = database.prisma;
  const key = { kind, sourceRef: ref };
  await db.$transaction(async (tx) => {
    await openTask(tx, { ...key, storeCode: store, assignee: 'xiaomei', title, dueAt: cst(due) }, { now: cst('2026-10-30T08:00:00') });
    if (fate.ack) await ackTask(tx, key, { by: 'xiaomei', now: cst(fate.ack) });
    if (fate.done) await closeTask(tx, key, { state: 'done', by: 'xiaomei', now: cst(fate.done) });
    if (fate.expired) await closeTask(tx, key, { state: 'expired', by: null, now: cst(fate.expired) });
    if (fate.cancelled) await closeTask(tx, key, { state: 'cancelled', by: 'wangfang', now: cst(fate.cancelled) });
  });
}

it('is the share of tasks acted on by their due time, with the median delay and the kinds that were late', async () => {
  await task('S1', 'a', 'test.clean', '清洁制冰机', '2026-11-10T10:00:00', { ack: '2026-11-10T09:50:00' }); // on time
  await task('S1', 'b', 'test.clean', '清洁制冰机', '2026-11-11T10:00:00', { done: '2026-11-11T10:45:00' }); // 45 min late
  await task('S1', 'c', 'stock.lateDelivery', '到货未入库：奶油', '2026-11-12T10:00:00', { ack: '2026-11-12T11:30:00', done: '2026-11-12T12:00:00' }); // 90 min late
  await task('S1', 'd', 'stock.lateDelivery', '到货未入库：牛奶', '2026-11-13T10:00:00', { expired: '2026-11-15T10:00:00' }); // never
  await task('S1', 'e', 'test.clean', '擦玻璃', '2026-11-14T10:00:00', { cancelled: '2026-11-14T09:00:00' }); // not counted
  await task('S1', 'f', 'test.clean', '擦玻璃', '2026-11-15T10:00:00', { done: '2026-11-15T10:00:00' }); // on time, to the minute
  await task('S1', 'g', 'test.clean', '擦玻璃', '2026-10-31T23:00:00', { done: '2026-11-01T09:00:00' }); // due in October
  await task('S1', 'h', 'test.clean', '擦玻璃', '2026-12-01T00:30:00', {}); // due in December
  await task('S3', 'i', 'test.clean', '拖地', '2026-11-20T18:00:00', { done: '2026-11-20T17:00:00' });

  const bot = new BotRegistry(loadConfig({}));
  tasksFeature.register(bot);
  const measure = bot.scoreParts.get('taskTimeliness')!;
  const result = await measure(database.prisma, NOVEMBER, ['S1', 'S2', 'S3']);

  // S1: 5 tasks due in November (a b c d f); on time a f; acted on late b (45) c (90); never d.
  expect(result.get('S1')).toEqual({
    ratio: 0.4,
    facts: { tasks: 5, onTime: 2, actedLate: 2, neverActed: 1, onTimeShare: 0.4, medianDelayMinutes: 68 },
    losses: [
      { label: '「到货未入库：牛奶」等 2 个任务超时', lost: 0.4 },
      { label: '「清洁制冰机」1 个任务超时', lost: 0.2 },
    ],
  });
  expect(result.has('S2')).toBe(false); // no tasks: missing, not a made-up number
  expect(result.get('S3')).toEqual({ ratio: 1, facts: { tasks: 1, onTime: 1, actedLate: 0, neverActed: 0, onTimeShare: 1, medianDelayMinutes: 0 }, losses: [] });
  expect((await measure(database.prisma, NOVEMBER, ['S3'])).size).toBe(1);
});
