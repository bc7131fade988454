import { importMasterData } from '../../../src/features/masterdata/import';
import { openTask } from '../../../src/features/tasks';
import { MINUTE, startTaskWorld, type TaskWorld } from './task-world';

/** The ladder and the shift schedule: whom a task reaches depends on who is at work. */
let w: TaskWorld;
beforeAll(async () => {
  w = await startTaskWorld(); // 2026-11-25 10:00 in Shanghai
  const shifts = `store_code,userid,starts_at,ends_at
S1,liqiang,2026-11-25 07:00,2026-11-25 15:00
S1,xiaomei,2026-11-25 14:00,2026-11-25 22:00
`;
  expect(await importMasterData(w.h.app.db, 'shifts', shifts, 'csv', { timezone: 'Asia/Shanghai' })).toMatchObject({ ok: true });
});
afterAll(() => w.h.stop());

const open = (sourceRef: string, title: string, assignee: string | null) =>
  w.h.app.db.$transaction((tx) => openTask(tx, { kind: 'test.chore', sourceRef, storeCode: 'S1', assignee, title, dueAt: w.clock.now() }, { now: w.clock.now() }));
const cards = (userid: string, title: string) => w.taskCards(userid).filter((c) => (c.body.main_title as { title: string }).title === title);

it('gives a task nobody is assigned to the staff on shift first, then the store manager', async () => {
  await open('unassigned', '补货：杯盖', null);
  await w.walk();
  expect(cards('liqiang', '补货：杯盖')).toHaveLength(1);
  expect(cards('xiaomei', '补货：杯盖')).toHaveLength(0); // her shift starts at 14:00
  expect(cards('wangfang', '补货：杯盖')).toHaveLength(0);
  w.clock.advance(30 * MINUTE);
  await w.walk();
  expect(cards('wangfang', '补货：杯盖')).toHaveLength(1); // no schedule known for her: reached at once
});

it("holds the assignee's reminder until their shift starts, and the escalation keeps its distance", async () => {
  await open('later-shift', '擦玻璃门', 'xiaomei'); // 10:30, she starts at 14:00
  await w.walk();
  expect(cards('xiaomei', '擦玻璃门')).toHaveLength(0);
  w.clock.advance(3 * 60 * MINUTE + 29 * MINUTE); // 13:59
  await w.walk();
  expect(cards('xiaomei', '擦玻璃门')).toHaveLength(0);
  w.clock.advance(1 * MINUTE); // 14:00
  await w.walk();
  expect(cards('xiaomei', '擦玻璃门')).toHaveLength(1);
  expect(cards('xiaomei', '擦玻璃门')[0].body.sub_title_text).toContain('已超时 3 小时 30 分钟');
  w.clock.advance(29 * MINUTE);
  await w.walk();
  expect(cards('wangfang', '擦玻璃门')).toHaveLength(0); // 30 minutes after she got it, not after the due time
  w.clock.advance(1 * MINUTE);
  await w.walk();
  expect(cards('wangfang', '擦玻璃门')).toHaveLength(1);
});

it('skips a step whose people are all off shift for the day, and goes on up the ladder', async () => {
  // 王芳 worked yesterday and has no shift in the next day: known, and off.
  await importMasterData(w.h.app.db, 'shifts', 'store_code,userid,starts_at,ends_at\nS1,wangfang,2026-11-24 20:00,2026-11-24 23:00\n', 'csv', { timezone: 'Asia/Shanghai' });
  const task = await open('day-off', '核对交接本', 'liqiang'); // 14:30
  await w.walk();
  expect(cards('liqiang', '核对交接本')).toHaveLength(1);
  w.clock.advance(30 * MINUTE);
  await w.walk();
  expect(cards('wangfang', '核对交接本')).toHaveLength(0);
  expect(await w.h.app.db.taskNotice.findUnique({ where: { taskId_step: { taskId: task.id, step: 1 } } })).toMatchObject({ recipients: [] });
  w.clock.advance(90 * MINUTE);
  await w.walk();
  expect(cards('zhaoqu', '核对交接本')).toHaveLength(1);
});
