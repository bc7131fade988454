import type { DbTx } from '../../db';
import type { Task } from '../../generated/prisma/client';
import type { LADDER_AUDIENCES } from '../../settings';
import { nearestManagement, type Person } from '../../people';
import { availability, staffOnShift } from '../masterdata';

/**
 * Who a ladder step goes to. `assignee` without one (or one no longer active): the store's staff
 * on shift at `at`, else its managers. A level of management with nobody in it passes the step
 * to the next one up. Only active staff are ever pinged.
 */
export async function audience(db: DbTx, task: Task, notify: (typeof LADDER_AUDIENCES)[number], at: Date): Promise<Person[]> {
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

/**
 * Respects shifts where the schedule knows them: a step goes now to those on shift or without a
 * known schedule. If every recipient is off shift, the step waits for the first of them to start
 * (`deferUntil`); if none starts within a day, nobody is pinged and the ladder moves on.
 */
export async function reachableNow(db: DbTx, recipients: Person[], at: Date): Promise<{ now: Person[]; deferUntil: Date | null }> {
  const states = await availability(
    db,
    recipients.map((r) => r.userid),
    at,
  );
  const now = recipients.filter((_, i) => states[i].state !== 'off_shift');
  if (now.length || recipients.length === 0) return { now, deferUntil: null };
  const starts = states.flatMap((s) => (s.state === 'off_shift' && s.nextShiftAt ? [s.nextShiftAt.getTime()] : []));
  return { now: [], deferUntil: starts.length ? new Date(Math.min(...starts)) : null };
}
