import type { DemoContext } from '../../bot/registry';
import type { Db } from '../../db';
import { importMasterData } from '../masterdata';
import { addDays, chainDate } from '../../timezone';

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
 * through the same importer as a real schedule.
 */
export async function seedRosterDemo(db: Db, { now, config: { timezone } }: DemoContext): Promise<void> {
  const day = (offset: number) => addDays(chainDate(now, timezone), offset);
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  const rows = DEMO_SHIFTS.flatMap((s, i) =>
    Array.from({ length: DAYS }, (_, d) => d)
      .filter((d) => (d + i) % DAYS !== DAYS - 1)
      .map((d) => `${s.store},${s.userid},${day(d)} ${hh(s.from)},${day(d)} ${hh(s.to)}`),
  );
  const outcome = await importMasterData(db, 'shifts', `store_code,userid,starts_at,ends_at\n${rows.join('\n')}\n`, 'csv', { timezone });
  if (!outcome.ok) throw new Error(`demo shifts do not import: ${outcome.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
}
