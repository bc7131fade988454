import type { Database } from '../../../src/db';
import { importMasterData } from '../../../src/features/masterdata/import';
import { availability, nextShiftStaff, staffOnShift } from '../../../src/features/masterdata/shifts';
import { openTestDatabase } from '../../helpers/database';

/** The shift schedule: imported in the chain's wall-clock time, then asked who is in the store. */
let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await importMasterData(db(), 'stores', 'code,name\nS001,一店\nS002,二店\n', 'csv');
  await importMasterData(db(), 'staff', 'userid,name,store,role\nxiaomei,张小美,S001,店员\nliqiang,李强,S001,店员\nleft,离职者,S001,店员\nzhou,周店长,S001,店长\n', 'csv');
  await db().staff.update({ where: { userid: 'left' }, data: { active: false } });
});
afterAll(() => database.close());
const db = () => database.prisma;
const at = (iso: string) => new Date(iso);

const SCHEDULE = `store_code,userid,starts_at,ends_at
S001,xiaomei,2026-11-26 07:00,2026-11-26 15:00
S001,liqiang,2026-11-26 14:00,2026-11-26 22:00
S001,left,2026-11-26 07:00,2026-11-26 15:00
S001,zhou,2026-11-26T01:00:00Z,2026-11-26T10:00:00Z
`;

it('reads local times in the chain time zone (or ISO with an offset), and a second import changes nothing', async () => {
  expect(await importMasterData(db(), 'shifts', SCHEDULE, 'csv', { timezone: 'Asia/Shanghai' })).toEqual({ ok: true, kind: 'shifts', rows: 4, created: 4, updated: 0 });
  const xiaomei = await db().shift.findFirstOrThrow({ where: { userid: 'xiaomei' } });
  expect([xiaomei.startsAt, xiaomei.endsAt]).toEqual([at('2026-11-25T23:00:00Z'), at('2026-11-26T07:00:00Z')]);
  expect(await importMasterData(db(), 'shifts', SCHEDULE, 'csv', { timezone: 'Asia/Shanghai' })).toMatchObject({ ok: true, created: 0, updated: 4 });
  expect(await db().shift.count()).toBe(4);
});

it('answers who is on shift and who comes next; nobody when no schedule is known', async () => {
  // In order of shift start; the one who left is not pinged although still on the schedule.
  expect((await staffOnShift(db(), 'S001', at('2026-11-26T06:30:00Z'))).map((s) => s.userid)).toEqual(['xiaomei', 'zhou', 'liqiang']);
  expect((await staffOnShift(db(), 'S001', at('2026-11-26T13:00:00Z'))).map((s) => s.userid)).toEqual(['liqiang']);
  expect(await staffOnShift(db(), 'S002', at('2026-11-26T06:30:00Z'))).toEqual([]);
  expect((await nextShiftStaff(db(), 'S001', at('2026-11-26T00:00:00Z')))?.userid).toBe('zhou');
  expect((await nextShiftStaff(db(), 'S001', at('2026-11-26T02:00:00Z')))?.userid).toBe('liqiang');
  expect(await nextShiftStaff(db(), 'S001', at('2026-11-26T07:00:00Z'))).toBeNull();
  expect(await availability(db(), ['xiaomei', 'liqiang', 'nobody'], at('2026-11-26T02:00:00Z'))).toEqual([
    { userid: 'xiaomei', state: 'on_shift' },
    { userid: 'liqiang', state: 'off_shift', nextShiftAt: at('2026-11-26T06:00:00Z') },
    { userid: 'nobody', state: 'unknown' },
  ]);
});

it('withdraws a shift with active 否', async () => {
  expect(await importMasterData(db(), 'shifts', 'store_code,userid,starts_at,ends_at,active\nS001,liqiang,2026-11-26 14:00,2026-11-26 22:00,否\n', 'csv', { timezone: 'Asia/Shanghai' })).toMatchObject(
    { ok: true, updated: 1 },
  );
  expect(await staffOnShift(db(), 'S001', at('2026-11-26T13:00:00Z'))).toEqual([]);
});

it('reports every bad row with its line and imports nothing', async () => {
  const bad = `store_code,userid,starts_at,ends_at
S009,xiaomei,2026-11-27 07:00,2026-11-27 15:00
S001,ghost,2026-11-27 07:00,2026-11-27 15:00
S001,xiaomei,2026-11-27 15:00,2026-11-27 07:00
S001,liqiang,明天早上,2026-11-27 15:00
S001,zhou,2026-11-27 07:00,2026-11-28 07:00
S001,xiaomei,2026-11-28 07:00,2026-11-28 15:00
S001,xiaomei,2026-11-28 12:00,2026-11-28 20:00
S001,liqiang,2026-02-30 07:00,2026-03-01 08:00
`;
  const outcome = await importMasterData(db(), 'shifts', bad, 'csv', { timezone: 'Asia/Shanghai' });
  expect(outcome.ok).toBe(false);
  expect(!outcome.ok && outcome.problems).toEqual([
    { line: 2, message: '门店 S009 不存在' },
    { line: 3, message: '员工 ghost 不存在：先导入员工（npm run admin -- import staff …）' },
    { line: 4, message: '下班时间必须晚于上班时间' },
    { line: 5, message: '上班时间格式应为 2026-11-26 08:00（连锁所在时区），或带时区的 ISO 时间' },
    { line: 6, message: '一个班次不能超过 16 小时' },
    { line: 8, message: 'xiaomei 的班次与第 7 行重叠' },
    { line: 9, message: '上班时间「2026-02-30 07:00」不是有效的时间' },
  ]);
  expect(await db().shift.count()).toBe(4);
});
