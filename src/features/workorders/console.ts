import type { BotRegistry } from '../../bot/registry';
import { columns, dateTime, type ConsoleSection } from '../../console/types';
import type { Db } from '../../db';
import { PRIORITY_TEXT, STATE_TEXT } from './orders';
import { equipmentName, type Priority } from './setup';

/**
 * What a store calls its equipment, under every version of its checklist (so an order opened
 * under an old one keeps its name): the checklists are the handover feature's, which passes this in.
 */
export type EquipmentNamesLookup = (db: Db, storeCode: string) => Promise<Record<string, string>>;

/** The store's work orders: everything not closed, and what closed in the last 30 days. */
const workOrdersSection = (equipmentNames: EquipmentNamesLookup): ConsoleSection => ({
  key: 'workOrders',
  title: '维修工单',
  order: 40,
  columns: columns(
    { id: '编号', equipment: ['设备', 'select'], description: '问题', priority: ['优先级', 'select'], state: ['状态', 'select'] },
    { opened: '报修时间', openedBy: '报修人', ack: '受理', closed: '完成' },
  ),
  async rows({ db, clock, timezone }, storeCode) {
    const since = new Date(clock.now().getTime() - 30 * 86_400_000);
    const orders = await db.workOrder.findMany({ where: { storeCode, OR: [{ state: { not: 'closed' } }, { closedAt: { gte: since } }] }, orderBy: { openedAt: 'desc' }, take: 500 });
    const userids = [...new Set(orders.flatMap((o) => [o.openedBy, ...(o.ackBy ? [o.ackBy] : []), ...(o.closedBy ? [o.closedBy] : [])]))];
    const names = new Map((await db.staff.findMany({ where: { userid: { in: userids } }, select: { userid: true, name: true } })).map((s) => [s.userid, s.name]));
    const equipment = await equipmentNames(db, storeCode);
    const who = (userid: string | null, at: Date | null) => (userid && at ? `${names.get(userid) ?? userid} ${dateTime(at, timezone)}` : null);
    return orders.map((o) => ({
      id: String(o.id),
      cells: {
        id: `#${o.id}`,
        equipment: equipmentName(equipment, o.equipment),
        description: o.description,
        priority: PRIORITY_TEXT[o.priority as Priority] ?? o.priority,
        state: STATE_TEXT[o.state] ?? o.state,
        opened: dateTime(o.openedAt, timezone),
        openedBy: names.get(o.openedBy) ?? o.openedBy,
        ack: who(o.ackBy, o.ackAt),
        closed: who(o.closedBy, o.closedAt),
      },
    }));
  },
});

/** The work orders on a store's console page, and their photos: they belong to the order's store. */
export function registerWorkOrdersConsole(bot: BotRegistry, equipmentNames: EquipmentNamesLookup): void {
  bot.consoleSection(workOrdersSection(equipmentNames));
  bot.consolePhotos(async (db, photo) => {
    if (photo.workOrderId === null) return undefined;
    return (await db.workOrder.findUnique({ where: { id: photo.workOrderId }, select: { storeCode: true } }))?.storeCode ?? null;
  });
}
