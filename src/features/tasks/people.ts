import type { DbTx } from '../../db';
import type { Task } from '../../generated/prisma/client';
import type { LADDER_AUDIENCES } from '../../config';

export interface Recipient {
  userid: string;
  name: string;
}

/**
 * Who a ladder step goes to. `assignee` without one (or one no longer active): the store's
 * managers. Only active staff are ever pinged.
 */
export async function audience(db: DbTx, task: Task, notify: (typeof LADDER_AUDIENCES)[number]): Promise<Recipient[]> {
  const select = { userid: true, name: true } as const;
  switch (notify) {
    case 'assignee': {
      const assignee = task.assignee ? await db.staff.findFirst({ where: { userid: task.assignee, active: true }, select }) : null;
      if (assignee) return [assignee];
      return audience(db, task, 'store_manager');
    }
    case 'store_manager':
      return db.staff.findMany({ where: { storeCode: task.storeCode, role: 'store_manager', active: true }, select, orderBy: { userid: 'asc' } });
    case 'area_manager': {
      const store = await db.store.findUnique({ where: { code: task.storeCode }, select: { area: true } });
      if (!store?.area) return [];
      return db.staff.findMany({ where: { area: store.area, role: 'area_manager', active: true }, select, orderBy: { userid: 'asc' } });
    }
    case 'admin':
      return db.staff.findMany({ where: { role: 'admin', active: true }, select, orderBy: { userid: 'asc' } });
  }
}
