import type { Feature } from '../../src/bot/registry';
import { openTestDatabase } from '../helpers/database';
import { eventually, startHarness } from '../helpers/harness';

/** Two replicas of the app share one database; each scheduled fire must run exactly once. */
it('lets exactly one of two app instances run each fire', async () => {
  const runs: { instance: string; fire: string }[] = [];
  const ticker = (instance: string): Feature => ({
    name: 'ticker',
    register: (bot) =>
      bot.cron('test.recordTick', '* * * * * *', async ({ fireTime, send }) => {
        runs.push({ instance, fire: fireTime.toISOString() });
        await send('manager', `tick ${fireTime.toISOString()}`);
      }),
  });
  const database = await openTestDatabase();
  const a = await startHarness({ features: [ticker('a')], database, cron: true });
  const b = await startHarness({ features: [ticker('b')], database, fake: a.fake, cron: true });
  try {
    // Wait for fires rather than for a fixed time: on a loaded machine node-cron skips the ticks it
    // missed, so a fixed sleep sometimes saw a single fire.
    await eventually(() => runs.length >= 3, 20_000);
  } finally {
    await a.stop();
    await b.stop();
  }
  const fires = runs.map((r) => r.fire);
  expect(fires.length).toBeGreaterThanOrEqual(2);
  expect(new Set(fires).size).toBe(fires.length); // no fire ran twice
  const claimed = await database.prisma.cronRun.findMany({ where: { job: 'test.recordTick' } });
  expect(claimed.map((c) => c.fireKey.slice('test.recordTick:'.length)).sort()).toEqual([...fires].sort());
  expect(claimed.every((c) => c.status === 'done')).toBe(true);
  // Each fire's message was enqueued once, whichever replica ran it.
  expect(await database.prisma.outboxMessage.count({ where: { recipient: 'manager' } })).toBe(fires.length);
  await database.close();
});
