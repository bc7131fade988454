import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { DbTx } from '../../db';
import type { Staff, Store } from '../../generated/prisma/client';

/** The sender's store; handovers and work orders always belong to one. */
export async function requireStore(ctx: BotContext): Promise<Store> {
  const store = ctx.staff?.storeCode ? await ctx.db.store.findUnique({ where: { code: ctx.staff.storeCode } }) : null;
  if (!store) throw new UserFacingError('handover.noStore', '你还没有所属门店，请店长或管理员在员工名单里设置你的门店。');
  return store;
}

/** The store's managers (active), who get disputes, cash differences and work orders. */
export async function storeManagers(db: DbTx, storeCode: string): Promise<Staff[]> {
  return db.staff.findMany({ where: { storeCode, role: 'store_manager', active: true }, orderBy: { userid: 'asc' } });
}

/** The area managers of a store's area. */
export async function areaManagers(db: DbTx, storeCode: string): Promise<Staff[]> {
  const store = await db.store.findUnique({ where: { code: storeCode } });
  if (!store?.area) return [];
  return db.staff.findMany({ where: { role: 'area_manager', area: store.area, active: true }, orderBy: { userid: 'asc' } });
}

export async function namesOf(db: DbTx, userids: string[]): Promise<Map<string, string>> {
  const rows = await db.staff.findMany({ where: { userid: { in: userids } }, select: { userid: true, name: true } });
  return new Map(rows.map((r) => [r.userid, r.name]));
}

/** Which stores a manager may look at: their own (店长), their area's (区域经理), all (管理员). */
export async function storesVisibleTo(db: DbTx, staff: Staff | null): Promise<Store[]> {
  if (!staff) return [];
  if (staff.role === 'admin') return db.store.findMany({ orderBy: { code: 'asc' } });
  if (staff.role === 'area_manager') return db.store.findMany({ where: { area: staff.area ?? '\u0000' }, orderBy: { code: 'asc' } });
  if (staff.role === 'store_manager' && staff.storeCode) return db.store.findMany({ where: { code: staff.storeCode } });
  return [];
}

/** New staff (hired within `days`) and flagged staff get the hints on every card. */
export async function needsGuidance(db: DbTx, staff: Staff, now: Date, days: number): Promise<boolean> {
  if (staff.hireDate && now.getTime() - staff.hireDate.getTime() < days * 86_400_000) return true;
  return (await db.handoverGuidanceFlag.findUnique({ where: { userid: staff.userid } })) !== null;
}
