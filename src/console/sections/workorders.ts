import { equipmentName, PRIORITY_TEXT, STATE_TEXT, type Priority } from '../../features/workorders';
import { equipmentNames } from '../../features/handover';
import { dateTime, type ConsoleSection } from './types';

/** The store's work orders: everything not closed, and what closed in the last 30 days. */
export const workOrdersSection: ConsoleSection = {
  key: 'workOrders',
  title: '维修工单',
  columns: [
    { key: 'id', label: '编号' },
    { key: 'equipment', label: '设备', filter: 'select' },
    { key: 'description', label: '问题' },
    { key: 'priority', label: '优先级', filter: 'select' },
    { key: 'state', label: '状态', filter: 'select' },
    { key: 'opened', label: '报修时间' },
    { key: 'openedBy', label: '报修人' },
    { key: 'ack', label: '受理' },
    { key: 'closed', label: '完成' },
  ],
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
};
