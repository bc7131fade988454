import type { DbTx } from '../../db';

/**
 * Who answers for a store: its store managers; without one, the area managers of its area;
 * without those, the admins — so a review or an alert always reaches somebody.
 */
export async function storeManagers(db: DbTx, storeCode: string): Promise<string[]> {
  const managers = await db.staff.findMany({ where: { storeCode, role: 'store_manager', active: true }, select: { userid: true }, orderBy: { userid: 'asc' } });
  if (managers.length > 0) return managers.map((m) => m.userid);
  const store = await db.store.findUnique({ where: { code: storeCode } });
  const area = store?.area
    ? await db.staff.findMany({ where: { area: store.area, role: 'area_manager', active: true }, select: { userid: true }, orderBy: { userid: 'asc' } })
    : [];
  if (area.length > 0) return area.map((m) => m.userid);
  const admins = await db.staff.findMany({ where: { role: 'admin', active: true }, select: { userid: true }, orderBy: { userid: 'asc' } });
  return admins.map((m) => m.userid);
}

/** May `userid` act as a manager of this store (its store manager, its area manager, an admin)? */
export async function managesStore(db: DbTx, userid: string, storeCode: string): Promise<boolean> {
  const person = await db.staff.findUnique({ where: { userid } });
  if (!person?.active) return false;
  if (person.role === 'admin') return true;
  if (person.role === 'store_manager') return person.storeCode === storeCode;
  if (person.role === 'area_manager') {
    const store = await db.store.findUnique({ where: { code: storeCode } });
    return !!store?.area && store.area === person.area;
  }
  return false;
}
