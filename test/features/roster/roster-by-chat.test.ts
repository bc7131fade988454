import { importMasterData } from '../../../src/features/masterdata';
import { rosterFeature } from '../../../src/features/roster';
import { startTaskWorld, type TaskWorld } from '../tasks/task-world';

/** Staff read the schedule in chat: the store's day with who is in now, and their own coming shifts. */
let w: TaskWorld;
beforeAll(async () => {
  w = await startTaskWorld({ features: [rosterFeature], env: { ROSTER_DAYS: '3' } }); // Wednesday 2026-11-25 10:00 in Shanghai
  const shifts = [
    'S1,xiaomei,2026-11-25 07:00,2026-11-25 15:00',
    'S1,liqiang,2026-11-25 14:00,2026-11-25 22:00',
    'S1,wangfang,2026-11-25 09:00,2026-11-25 18:00',
    'S1,xiaomei,2026-11-26 22:00,2026-11-27 06:00',
    'S2,xiaomei,2026-11-27 10:00,2026-11-27 18:00',
    // Beyond ROSTER_DAYS (3): not in 我的班.
    'S1,xiaomei,2026-11-28 07:00,2026-11-28 15:00',
  ];
  const outcome = await importMasterData(w.h.app.db, 'shifts', `store_code,userid,starts_at,ends_at\n${shifts.join('\n')}\n`, 'csv', { timezone: 'Asia/Shanghai' });
  expect(outcome.ok).toBe(true);
});
afterAll(() => w.h.stop());

it("shows the store's day in start order, marking who is on shift now", async () => {
  expect((await w.say('liqiang', '排班')).body.content).toBe(
    ['一店 · 人民路 今天（11月25日 周三）的排班：', '· 07:00–15:00 张小美（在岗）', '· 09:00–18:00 王芳（在岗）', '· 14:00–22:00 李强'].join('\n'),
  );
  expect((await w.say('liqiang', '排班 明天')).body.content).toBe(['一店 · 人民路 明天（11月26日 周四）的排班：', '· 22:00–次日06:00 张小美'].join('\n'));
});

it('shows a person their own shifts for ROSTER_DAYS days, in every store', async () => {
  expect((await w.say('xiaomei', '我的班')).body.content).toBe(
    ['你接下来 3 天的班：', '· 11月25日 周三 07:00–15:00 一店 · 人民路', '· 11月26日 周四 22:00–次日06:00 一店 · 人民路', '· 11月27日 周五 10:00–18:00 二店 · 南京路'].join('\n'),
  );
  expect((await w.say('chengang', '我的班')).body.content).toBe('你接下来 3 天没有排班。');
});

it('answers in Chinese what it cannot show', async () => {
  expect((await w.say('chengang', '排班')).body.content).toBe('二店 · 南京路 今天（11月25日 周三）没有排班：还没导入班表，或这天不营业。');
  expect((await w.say('liqiang', '排班 下周')).body.content).toBe('没看懂「下周」。发送「排班」看本店今天的班，「排班 明天」看明天的，「我的班」看你自己接下来的班。');
  expect((await w.say('zhaoqu', '排班')).body.content).toContain('你还没有所属门店');
});

it('leaves out a shift a later import withdrew', async () => {
  const outcome = await importMasterData(w.h.app.db, 'shifts', 'store_code,userid,starts_at,ends_at,active\nS1,liqiang,2026-11-25 14:00,2026-11-25 22:00,false\n', 'csv', {
    timezone: 'Asia/Shanghai',
  });
  expect(outcome.ok).toBe(true);
  expect((await w.say('wangfang', '排班')).body.content).not.toContain('李强');
});
