import { consoleMiddleware } from '../../../src/console';
import { importMasterData } from '../../../src/features/masterdata';
import { rosterFeature } from '../../../src/features/roster';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { signIn } from '../../console/helpers';

/** The 排班 table on a store's console page: ROSTER_DAYS days from today, this store's only. */
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z')); // Wednesday 10:00 in Shanghai
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    features: [rosterFeature],
    clock,
    middleware: consoleMiddleware,
    env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40), ROSTER_DAYS: '2' },
  });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role,area\nboss,王店长,S1,店长,\nzhang,张三,S1,店员,\nm2,吴店长,S2,店长,\n', 'csv');
  const shifts = [
    'S1,zhang,2026-11-24 07:00,2026-11-24 15:00', // yesterday: gone
    'S1,zhang,2026-11-25 07:00,2026-11-25 15:30',
    'S1,boss,2026-11-26 22:00,2026-11-27 06:00',
    'S1,zhang,2026-11-27 07:00,2026-11-27 15:00', // beyond ROSTER_DAYS
    'S2,m2,2026-11-25 09:00,2026-11-25 18:00', // another store
  ];
  expect((await importMasterData(db, 'shifts', `store_code,userid,starts_at,ends_at\n${shifts.join('\n')}\n`, 'csv', { timezone: 'Asia/Shanghai' })).ok).toBe(true);
});
afterAll(() => h.stop());

it("lists the store's shifts from today over ROSTER_DAYS days, filterable by colleague, as CSV too", async () => {
  const boss = await signIn(h, 'boss');
  const res = await boss.get('/console/api/stores/S1/sections/roster');
  expect(res.status).toBe(200);
  const table = (await res.json()) as { title: string; rows: { cells: Record<string, unknown> }[] };
  expect(table.title).toBe('排班');
  expect(table.rows.map((r) => r.cells)).toEqual([
    { day: '11月25日 周三', name: '张三', hours: '07:00–15:30', length: 8.5 },
    { day: '11月26日 周四', name: '王店长', hours: '22:00–次日06:00', length: 8 },
  ]);
  const filtered = (await (await boss.get(`/console/api/stores/S1/sections/roster?f.name=${encodeURIComponent('王店长')}`)).json()) as { rows: unknown[] };
  expect(filtered.rows).toHaveLength(1);
  const csv = await (await boss.get('/console/api/stores/S1/sections/roster?format=csv')).text();
  expect(csv).toContain('日期,同事,班次,时长（小时）');
  expect((await boss.get('/console/api/stores/S2/sections/roster')).status).toBe(403);
});
