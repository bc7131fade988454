import type { DemoContext } from '../../bot/registry';
import type { Db } from '../../db';
import { importMasterData } from '../masterdata';
import { addDays, chainDate } from '../../timezone';

/** The demo stores' day, the same in both: an early, a middle and a late shift, and the manager's day. */
const SHIFT_HOURS = { early: [7, 15], middle: [10, 18], late: [14, 22], manager: [9, 18] } as const;
type Shift = keyof typeof SHIFT_HOURS;
/** Who works which shift in each demo store. */
const DEMO_ROTA: Record<string, Record<Shift, string>> = {
  S001: { early: 'zhangxiaomei', middle: 'wangxin', late: 'liqiang', manager: 'zhoumanager' },
  S002: { early: 'chenjing', middle: 'sunli', late: 'zhaolei', manager: 'wumanager' },
};
const DEMO_SHIFTS = Object.entries(DEMO_ROTA).flatMap(([store, rota]) => Object.entries(SHIFT_HOURS).map(([shift, [from, to]]) => ({ store, userid: rota[shift as Shift], from, to })));
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
