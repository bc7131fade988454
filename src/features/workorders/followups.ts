import type { Messaging } from '../../bot/context';
import type { DbTx } from '../../db';
import type { WorkOrder } from '../../generated/prisma/client';
import { managerFor } from '../../people';
import { closeTask, openTask, type TaskRef } from '../tasks';
import { WORKORDER_CARDS } from './keys';
import { maintenanceContact, type Priority, type RepairSetup } from './setup';

type Tx = Messaging & { db: DbTx };

const ackRef = (order: WorkOrder): TaskRef => ({ kind: 'workorder.ack', sourceRef: `workorder:${order.id}` });
const closeRef = (order: WorkOrder): TaskRef => ({ kind: 'workorder.close', sourceRef: `workorder:${order.id}` });

/**
 * Two deadlines per work order, by priority (the repair setup's workOrderSla): acknowledged within
 * ackHours, closed within closeHours. Each is a task on the ladder `workorder`, which reminds the
 * maintenance contact and escalates to the area manager; their timeliness feeds the health score.
 */
export async function workOrderOpened(tx: Tx, order: WorkOrder, setup: RepairSetup): Promise<void> {
  const sla = setup.workOrderSla[order.priority as Priority];
  // The repairer, else a manager of the store (who may act on it, unlike the staff on shift).
  const assignee = maintenanceContact(setup, order.equipment) ?? (await managerFor(tx.db, order.storeCode));
  const base = { storeCode: order.storeCode, assignee, ladder: 'workorder', detail: order.description };
  const hours = (h: number) => new Date(order.openedAt.getTime() + h * 3_600_000);
  const closeButton = { key: `${WORKORDER_CARDS.close}:${order.id}`, label: '已修好' };
  const deadlines = [
    { ...ackRef(order), title: `工单 #${order.id} 待受理`, dueAt: hours(sla.ackHours), actions: [{ key: `${WORKORDER_CARDS.ack}:${order.id}`, label: '受理' }, closeButton] },
    { ...closeRef(order), title: `工单 #${order.id} 待修好`, dueAt: hours(sla.closeHours), actions: [{ key: `${WORKORDER_CARDS.progress}:${order.id}`, label: '更新进度' }, closeButton] },
  ];
  for (const deadline of deadlines) await openTask(tx.db, { ...deadline, ...base }, { by: order.openedBy, now: order.openedAt });
}

export async function workOrderAcknowledged(tx: Tx, order: WorkOrder, by: string, inboundId: string, now: Date): Promise<void> {
  await closeTask(tx.db, ackRef(order), { state: 'done', by, inboundId, now });
}

/** Closing also settles the acknowledgement when nobody tapped 受理 first. */
export async function workOrderClosed(tx: Tx, order: WorkOrder, by: string, inboundId: string, now: Date): Promise<void> {
  await closeTask(tx.db, ackRef(order), { state: 'done', by, inboundId, now });
  await closeTask(tx.db, closeRef(order), { state: 'done', by, inboundId, now });
}
