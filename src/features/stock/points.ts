import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import { isManager } from '../../people';
import type { DbTx } from '../../db';
import { addDays, chainDate, chainTimeText, startOfChainDate } from '../../timezone';
import { STOCK_ERRORS } from './keys';

export interface PointsDeduction {
  storeCode: string;
  points: number;
  reason: string;
  /** What caused it (`delivery-late:<id>`, `move-late:<id>`): the same cause never deducts twice. */
  causeKey: string;
  occurredAt: Date;
}

/** Records a deduction in the store's append-only points ledger; false when the cause was recorded before. */
export async function deductPoints(db: DbTx, deduction: PointsDeduction, now: Date): Promise<boolean> {
  if (deduction.points <= 0) return false;
  const inserted = await db.$executeRaw`
    INSERT INTO store_points_entry (store_code, points, reason, cause_key, occurred_at, recorded_at)
    VALUES (${deduction.storeCode}, ${-deduction.points}, ${deduction.reason}, ${deduction.causeKey}, ${deduction.occurredAt}, ${now})
    ON CONFLICT (cause_key) DO NOTHING`;
  return inserted === 1;
}

const RECENT_ENTRIES = 10;

/**
 * `积分` / `积分 二店`: a store's points this month (chain time zone) and its latest entries — for
 * store managers (their own store), area managers (their area's stores) and admins.
 */
export async function showPoints(ctx: BotContext): Promise<void> {
  const me = ctx.staff;
  if (!isManager(me)) throw new UserFacingError(STOCK_ERRORS.notManager, '积分只有店长、区域经理和管理员可以查看。');
  const wanted = ctx.args.trim();
  const stores = await ctx.db.store.findMany({ orderBy: { code: 'asc' } });
  const store = wanted
    ? (stores.find((s) => s.code.toLowerCase() === wanted.toLowerCase() || s.name === wanted) ?? stores.filter((s) => s.name.includes(wanted)).at(0))
    : stores.find((s) => s.code === me.storeCode);
  if (!store) throw new UserFacingError(STOCK_ERRORS.unknownStore, wanted ? `没找到门店「${wanted}」。` : '请写上门店，例如：积分 S001');
  const allowed = me.role === 'admin' || (me.role === 'store_manager' && me.storeCode === store.code) || (me.role === 'area_manager' && !!store.area && store.area === me.area);
  if (!allowed) throw new UserFacingError(STOCK_ERRORS.notYourStore, `你不能查看「${store.name}」的积分。`);

  const tz = ctx.config.timezone;
  const month = chainDate(ctx.clock.now(), tz).slice(0, 7);
  const monthStart = startOfChainDate(`${month}-01`, tz);
  const nextMonthStart = startOfChainDate(addDays(`${month}-28`, 4).slice(0, 7) + '-01', tz);
  const where = { storeCode: store.code, occurredAt: { gte: monthStart, lt: nextMonthStart } };
  const [sum, entries] = await Promise.all([
    ctx.db.storePointsEntry.aggregate({ where, _sum: { points: true }, _count: true }),
    ctx.db.storePointsEntry.findMany({ where, orderBy: { id: 'desc' }, take: RECENT_ENTRIES }),
  ]);
  const lines = [`${store.name} ${month} 积分：${sum._sum.points ?? 0}（${sum._count} 条扣分）`];
  for (const e of entries) lines.push(`${chainTimeText(e.occurredAt, tz)} ${e.points} ${e.reason}`);
  if (sum._count > entries.length) lines.push(`……另有 ${sum._count - entries.length} 条`);
  if (sum._count === 0) lines.push('本月没有扣分。');
  await ctx.reply(lines.join('\n'));
}
