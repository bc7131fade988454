import type { DbTx } from '../db';
import type { Staff } from '../generated/prisma/client';

/** Who may use the console, and what they see. Everyone else (店员, unknown, inactive) sees nothing. */
export const CONSOLE_ROLES = ['store_manager', 'area_manager', 'admin'] as const;

export function mayUseConsole(staff: Staff | null): staff is Staff {
  return Boolean(staff?.active && (CONSOLE_ROLES as readonly string[]).includes(staff.role));
}

/**
 * The stores a member may see: a store manager their store, an area manager the stores of their
 * area, an admin all of them, anyone else none. Every console API asks this, server-side.
 */
export async function visibleStores(db: DbTx, staff: Staff | null): Promise<{ code: string; name: string; area: string | null }[]> {
  if (!mayUseConsole(staff)) return [];
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
