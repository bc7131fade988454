import type { DbTx } from '../../db';
import type { Staff, Task } from '../../generated/prisma/client';
import type { LADDER_AUDIENCES } from '../../config';
import { availability, staffOnShift } from '../masterdata';

export interface Recipient {
  userid: string;
  name: string;
}

/**
 * Who a ladder step goes to. `assignee` without one (or one no longer active): the store's staff
 * on shift at `at`, else its managers. A level of management with nobody in it passes the step
 * to the next one up. Only active staff are ever pinged.
 */
export async function audience(db: DbTx, task: Task, notify: (typeof LADDER_AUDIENCES)[number], at: Date): Promise<Recipient[]> {
  switch (notify) {
    case 'assignee': {
      const assignee = task.assignee ? await db.staff.findFirst({ where: { userid: task.assignee, active: true }, select: { userid: true, name: true } }) : null;
      if (assignee) return [assignee];
      const onShift = await staffOnShift(db, task.storeCode, at);
      if (onShift.length) return onShift.map((s) => ({ userid: s.userid, name: s.name }));
      return audience(db, task, 'store_manager', at);
    }
    default:
      return nearestManagement(db, task.storeCode, notify);
  }
}

/** Managers of `level`, or of the next level up when it has nobody (a store without a manager): a step never pings nobody. */
async function nearestManagement(db: DbTx, storeCode: string, level: (typeof MANAGER_LEVELS)[number]): Promise<Recipient[]> {
  for (const next of MANAGER_LEVELS.slice(MANAGER_LEVELS.indexOf(level))) {
    const managers = await managersAt(db, storeCode, next);
    if (managers.length) return managers;
  }
  return [];
}

/** The store's managers of one level: its store managers, its area's managers, or the admins. */
async function managersAt(db: DbTx, storeCode: string, level: Exclude<(typeof LADDER_AUDIENCES)[number], 'assignee'>): Promise<Recipient[]> {
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

const MANAGER_LEVELS = ['store_manager', 'area_manager', 'admin'] as const;

/**
 * Who manages a store, nearest first: its store managers, then its area's managers, then the
 * admins (active staff only). This is the one rule for a task only a manager may close (a
 * dispute, a cash difference): it is given to the first of them, and a tap on its card is taken
 * from any of them and from nobody else.
 */
export async function storeManagement(db: DbTx, storeCode: string): Promise<Recipient[]> {
  const levels = await Promise.all(MANAGER_LEVELS.map((level) => managersAt(db, storeCode, level)));
  return levels.flat();
}

/** Whether `staff` is one of the store's management (see storeManagement). */
export async function managesStore(db: DbTx, staff: Pick<Staff, 'userid'> | null, storeCode: string): Promise<boolean> {
  return !!staff && (await storeManagement(db, storeCode)).some((m) => m.userid === staff.userid);
}

/** Whom a task only a manager may close is given to: the store's nearest manager; null when it has none. */
export async function managerFor(db: DbTx, storeCode: string): Promise<string | null> {
  return (await storeManagement(db, storeCode))[0]?.userid ?? null;
}

/**
 * Respects shifts where the schedule knows them: a step goes now to those on shift or without a
 * known schedule. If every recipient is off shift, the step waits for the first of them to start
 * (`deferUntil`); if none starts within a day, nobody is pinged and the ladder moves on.
 */
export async function reachableNow(db: DbTx, recipients: Recipient[], at: Date): Promise<{ now: Recipient[]; deferUntil: Date | null }> {
  const states = await availability(db, recipients.map((r) => r.userid), at);
  const now = recipients.filter((_, i) => states[i].state !== 'off_shift');
  if (now.length || recipients.length === 0) return { now, deferUntil: null };
  const starts = states.flatMap((s) => (s.state === 'off_shift' && s.nextShiftAt ? [s.nextShiftAt.getTime()] : []));
  return { now: [], deferUntil: starts.length ? new Date(Math.min(...starts)) : null };
}
