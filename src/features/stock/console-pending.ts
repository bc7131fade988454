import { columns, dateTime, type ConsoleSection, type SectionRow } from '../../console/types';
import type { StockLossHold } from '../../generated/prisma/client';
import { managesStore } from '../../people';
import { TRANSFER_ARRIVAL_MS } from './count-commands';
import { receivedUnbookedDeliveries } from './deliveries';
import { format } from './ledger';
import { moveKindText } from './move-kinds';

/** Late-recorded moves stay on the list this long. */
const LATE_MOVE_DAYS = 30;
/** A loss hold decided (or cancelled, or void) stays on the list this long, with how it ended. */
const DECIDED_HOLD_HOURS = 24;

function holdState(h: StockLossHold): string {
  if (h.status === 'booked') return '已记账';
  if (h.status === 'expired') return '已作废';
  if (h.status === 'cancelled') return h.managerUserid && h.closedBy === h.managerUserid ? '已驳回' : '已取消';
  if (h.managerApprovedAt) return '已批准，待店员确认';
  return h.needsManager ? '待店长批准' : '待店员确认';
}

const hoursSince = (at: Date, now: Date) => Math.max(0, Math.round((now.getTime() - at.getTime()) / 360_000) / 10);

/**
 * What waits on someone, and what was entered too late: waste held over the day's limit
 * (src/features/stock/loss-limit.ts), deliveries that arrived and are not booked (the late ones
 * already cost points, late-deliveries.ts), transfers to the store not yet received, and moves
 * recorded long after they happened (stock_late_move). The waiting ones come first, oldest first.
 * A manager (managesStore) may approve or reject a loss hold here as on its WeCom card: the row's
 * 批准/驳回 post to /loss-holds/<id>/<decision> (console.ts), which calls decideHold as the
 * manager's card does. A hold decided in the last 24 hours stays listed with how it ended.
 */
export const pendingSection: ConsoleSection = {
  key: 'pending',
  title: '待审与超时',
  order: 20,
  columns: columns({ type: ['类型', 'select'], what: '内容', who: ['人员', 'select'], at: '时间', hours: '已等/晚记(小时)', state: ['状态', 'select'] }),
  async rows({ db, clock, timezone, viewer }, storeCode) {
    const now = clock.now();
    const [holds, deliveries, lateDeliveries, transfers, lateMoves, mayDecide] = await Promise.all([
      db.stockLossHold.findMany({
        where: { storeCode, OR: [{ status: 'pending' }, { closedAt: { gte: new Date(now.getTime() - DECIDED_HOLD_HOURS * 3_600_000) } }] },
        orderBy: { createdAt: 'asc' },
      }),
      receivedUnbookedDeliveries(db, storeCode, now),
      db.stockDelivery.findMany({ where: { storeCode, bookedAt: null, lateAt: { not: null } }, select: { id: true } }),
      db.stockTransfer.findMany({ where: { toStore: storeCode, status: 'in_transit' }, orderBy: { sentAt: 'asc' } }),
      db.stockLateMove.findMany({ where: { storeCode, flaggedAt: { gte: new Date(now.getTime() - LATE_MOVE_DAYS * 86_400_000) } }, orderBy: { flaggedAt: 'desc' } }),
      managesStore(db, viewer, storeCode),
    ]);
    // Waiting ones first; decided ones after them, most recently decided first.
    holds.sort((a, b) => Number(b.status === 'pending') - Number(a.status === 'pending') || (a.status === 'pending' ? 0 : (b.closedAt?.getTime() ?? 0) - (a.closedAt?.getTime() ?? 0)));
    const moves = await db.stockMove.findMany({ where: { id: { in: lateMoves.map((l) => l.moveId) } } });
    const skus = new Map((await db.sku.findMany({ where: { code: { in: [...holds, ...transfers, ...moves].map((x) => x.skuCode) } } })).map((s) => [s.code, s]));
    const userids = [...holds.map((h) => h.staffUserid), ...transfers.map((t) => t.sentBy), ...moves.flatMap((m) => (m.staffUserid ? [m.staffUserid] : []))];
    const names = new Map((await db.staff.findMany({ where: { userid: { in: userids } }, select: { userid: true, name: true } })).map((s) => [s.userid, s.name]));
    const stores = new Map((await db.store.findMany({ where: { code: { in: transfers.map((t) => t.fromStore) } }, select: { code: true, name: true } })).map((s) => [s.code, s.name]));
    const late = new Set(lateDeliveries.map((d) => d.id));
    const sku = (code: string) => ({ name: skus.get(code)?.name ?? code, unit: skus.get(code)?.baseUnit ?? '' });
    const person = (userid: string | null) => (userid ? (names.get(userid) ?? userid) : null);

    const rows: SectionRow[] = [
      ...holds.map((h) => ({
        id: `hold:${h.id}`,
        actions:
          mayDecide && h.status === 'pending' && !h.managerApprovedAt
            ? [
                { key: 'approve', label: '批准', post: `/console/api/stores/${encodeURIComponent(storeCode)}/loss-holds/${h.id}/approve` },
                { key: 'reject', label: '驳回', post: `/console/api/stores/${encodeURIComponent(storeCode)}/loss-holds/${h.id}/reject` },
              ]
            : [],
        cells: {
          type: '报损待审',
          what: `${sku(h.skuCode).name} ${format(h.quantity)}${sku(h.skuCode).unit}${h.reason ? `（${h.reason}）` : ''}，今日报损 ${format(h.dayTotal)}，上限 ${format(h.dayLimit)}`,
          who: person(h.staffUserid),
          at: dateTime(h.createdAt, timezone),
          hours: hoursSince(h.createdAt, h.closedAt ?? now),
          state: holdState(h),
        },
      })),
      ...deliveries.map((d) => ({
        id: `delivery:${d.id}`,
        cells: {
          type: '到货未入库',
          what: `到货单 ${d.id}：${d.lines.map((l) => `${l.skuName} ${format(l.missing)}${l.unit}`).join('、')}`,
          who: null,
          at: dateTime(d.expectedAt, timezone),
          hours: hoursSince(d.expectedAt, now),
          state: late.has(d.id) ? '已超时（已扣分）' : '待入库',
        },
      })),
      ...transfers.map((t) => ({
        id: `transfer:${t.id}`,
        cells: {
          type: '调拨未收货',
          what: `调拨单 #${t.id}，${stores.get(t.fromStore) ?? t.fromStore} 调来 ${sku(t.skuCode).name} ${format(t.quantity)}${sku(t.skuCode).unit}`,
          who: person(t.sentBy),
          at: dateTime(t.sentAt, timezone),
          hours: hoursSince(t.sentAt, now),
          // As long as a count waits for it (count-commands.ts): by then it should have arrived.
          state: now.getTime() - t.sentAt.getTime() >= TRANSFER_ARRIVAL_MS ? '超时未确认' : '在途',
        },
      })),
      ...lateMoves.flatMap((l) => {
        const m = moves.find((x) => x.id === l.moveId);
        if (!m) return [];
        return [
          {
            id: `late:${l.moveId}`,
            cells: {
              type: '补记过晚',
              what: `${moveKindText(m.kind)} ${sku(m.skuCode).name} ${format(m.quantity.abs())}${sku(m.skuCode).unit}，发生于 ${dateTime(m.occurredAt, timezone)}`,
              who: person(m.staffUserid),
              at: dateTime(m.recordedAt, timezone),
              hours: Math.round(l.minutesLate / 6) / 10,
              state: '晚记已标记',
            },
          },
        ];
      }),
    ];
    return rows;
  },
};
