import type { DemoContext } from '../../bot/registry';
import type { Db } from '../../db';
import { importMasterData } from '../masterdata';
import { fromWallClock, wallClock } from '../../timezone';
import { MANUAL_KIND } from './commands';
import { openTask } from './engine';

/** Each demo store's week: an early, a middle and a late shift, and the manager's day. */
const DEMO_SHIFTS: { store: string; userid: string; from: number; to: number }[] = [
  { store: 'S001', userid: 'zhangxiaomei', from: 7, to: 15 },
  { store: 'S001', userid: 'wangxin', from: 10, to: 18 },
  { store: 'S001', userid: 'liqiang', from: 14, to: 22 },
  { store: 'S001', userid: 'zhoumanager', from: 9, to: 18 },
  { store: 'S002', userid: 'chenjing', from: 7, to: 15 },
  { store: 'S002', userid: 'sunli', from: 10, to: 18 },
  { store: 'S002', userid: 'zhaolei', from: 14, to: 22 },
  { store: 'S002', userid: 'wumanager', from: 9, to: 18 },
];
const DAYS = 7;

/**
 * The sandbox's shift schedule for the coming week (each person has one day off), imported
 * through the same importer as a real schedule, and two open tasks: one due soon for 张小美, one
 * overdue with nobody assigned, so the reminder and the ladder can be watched at once.
 */
export async function seedTaskDemo(db: Db, { now, config: { timezone } }: DemoContext): Promise<void> {
  const today = wallClock(now, timezone);
  const day = (offset: number) => {
    const noon = fromWallClock({ ...today, hour: 12, minute: 0, second: 0 }, timezone);
    const d = wallClock(new Date(noon.getTime() + offset * 86_400_000), timezone);
    return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  };
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  const rows = DEMO_SHIFTS.flatMap((s, i) =>
    Array.from({ length: DAYS }, (_, d) => d)
      .filter((d) => (d + i) % DAYS !== DAYS - 1)
      .map((d) => `${s.store},${s.userid},${day(d)} ${hh(s.from)},${day(d)} ${hh(s.to)}`),
  );
  const outcome = await importMasterData(db, 'shifts', `store_code,userid,starts_at,ends_at\n${rows.join('\n')}\n`, 'csv', { timezone });
  if (!outcome.ok) throw new Error(`demo shifts do not import: ${outcome.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);

  await db.$transaction(async (tx) => {
    await openTask(
      tx,
      {
        kind: MANUAL_KIND,
        sourceRef: 'demo:ice-machine',
        storeCode: 'S001',
        assignee: 'zhangxiaomei',
        title: '清洁制冰机',
        detail: '按清洁手册第 3 步，拍照留档。',
        dueAt: new Date(now.getTime() + 2 * 60_000),
      },
      { by: 'zhoumanager', now },
    );
    await openTask(
      tx,
      { kind: MANUAL_KIND, sourceRef: 'demo:fridge-temperature', storeCode: 'S002', assignee: null, title: '检查冷柜温度并登记', dueAt: new Date(now.getTime() - 40 * 60_000) },
      { by: 'wumanager', now },
    );
  });
}
