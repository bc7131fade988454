import type { BotContext } from './bot/context';
import { UserFacingError } from './bot/errors';
import type { DbTx } from './db';
import type { Staff, Store } from './generated/prisma/client';

/**
 * Who is who in the chain, one meaning for every feature and the console: only active staff count;
 * a store is managed by its store managers, then its area's managers, then the admins; a manager
 * sees their store, their area's stores, or all of them.
 */

export interface Person {
  userid: string;
  name: string;
}

/** The roles staff hold (the master data's `role` column), with the word staff read and write for each. */
export const ROLES = { staff: '店员', store_manager: '店长', area_manager: '区域经理', admin: '管理员' } as const;
export type Role = keyof typeof ROLES;

/** A role as staff read it (店长); a role this version does not know, as stored. */
export const roleName = (role: string): string => ROLES[role as Role] ?? role;

/** The levels of management over a store, nearest first. */
export const MANAGER_LEVELS = ['store_manager', 'area_manager', 'admin'] as const;
export type ManagerLevel = (typeof MANAGER_LEVELS)[number];

/** Whether `staff` holds a manager's role of any level (what manager-only commands ask). */
export const isManager = (staff: Pick<Staff, 'role'> | null | undefined): staff is Staff => !!staff && (MANAGER_LEVELS as readonly string[]).includes(staff.role);

/** The store's managers of one level: its store managers, its area's managers, or the admins. */
export async function managersAt(db: DbTx, storeCode: string, level: ManagerLevel): Promise<Person[]> {
  const select = { userid: true, name: true } as const;
  const orderBy = { userid: 'asc' } as const;
  switch (level) {
    case 'store_manager':
      return db.staff.findMany({ where: { storeCode, role: 'store_manager', active: true }, select, orderBy });
    case 'area_manager': {
      const store = await db.store.findUnique({ where: { code: storeCode }, select: { area: true } });
      if (!store?.area) return [];
      return db.staff.findMany({ where: { area: store.area, role: 'area_manager', active: true }, select, orderBy });
    }
    case 'admin':
      return db.staff.findMany({ where: { role: 'admin', active: true }, select, orderBy });
  }
}

/** Every manager of the store, nearest first: those who may act for it (a dispute, a repair, a held waste). */
export async function storeManagement(db: DbTx, storeCode: string): Promise<Person[]> {
  const levels = await Promise.all(MANAGER_LEVELS.map((level) => managersAt(db, storeCode, level)));
  return levels.flat();
}

/**
 * The managers of `from`, or of the next level up when it has nobody (a new store without a store
 * manager): who is told, so that nothing meant for a manager reaches nobody.
 */
export async function nearestManagement(db: DbTx, storeCode: string, from: ManagerLevel = 'store_manager'): Promise<Person[]> {
  for (const level of MANAGER_LEVELS.slice(MANAGER_LEVELS.indexOf(from))) {
    const managers = await managersAt(db, storeCode, level);
    if (managers.length) return managers;
  }
  return [];
}

/** The userids of nearestManagement: whom a review, an alert or a notice for the store's managers goes to. */
export async function nearestManagerIds(db: DbTx, storeCode: string): Promise<string[]> {
  return (await nearestManagement(db, storeCode)).map((m) => m.userid);
}

/** Whether `staff` is one of the store's management (see storeManagement). */
export async function managesStore(db: DbTx, staff: Pick<Staff, 'userid'> | null, storeCode: string): Promise<boolean> {
  return !!staff && (await storeManagement(db, storeCode)).some((m) => m.userid === staff.userid);
}

/** Whom a task only a manager may close is given to: the store's nearest manager; null when it has none. */
export async function managerFor(db: DbTx, storeCode: string): Promise<string | null> {
  return (await storeManagement(db, storeCode))[0]?.userid ?? null;
}

/** The stores a member may look at: a store manager their store, an area manager their area's, an admin all; anyone else (店员, inactive) none. */
export async function visibleStores(db: DbTx, staff: Staff | null): Promise<Pick<Store, 'code' | 'name' | 'area'>[]> {
  if (!staff?.active) return [];
  const select = { code: true, name: true, area: true } as const;
  const orderBy = { code: 'asc' } as const;
  switch (staff.role) {
    case 'admin':
      return db.store.findMany({ select, orderBy });
    case 'area_manager':
      return staff.area ? db.store.findMany({ where: { area: staff.area }, select, orderBy }) : [];
    case 'store_manager':
      return staff.storeCode ? db.store.findMany({ where: { code: staff.storeCode }, select, orderBy }) : [];
    default:
      return [];
  }
}

/** Names by userid, for messages that name people. */
export async function namesOf(db: DbTx, userids: string[]): Promise<Map<string, string>> {
  const rows = await db.staff.findMany({ where: { userid: { in: userids } }, select: { userid: true, name: true } });
  return new Map(rows.map((r) => [r.userid, r.name]));
}

/**
 * The sender's own store, for what always belongs to one (a handover, a work order, a stock entry).
 * Without one, `errorCode` and `before` (`记账前`) make the feature's answer.
 */
export async function requireOwnStore(ctx: BotContext, errorCode: string, before = ''): Promise<Store> {
  const store = ctx.staff?.storeCode ? await ctx.db.store.findUnique({ where: { code: ctx.staff.storeCode } }) : null;
  if (!store) throw new UserFacingError(errorCode, `你还没有所属门店，${before}请店长或管理员在员工名单里设置你的门店。`);
  return store;
}
