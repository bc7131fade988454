import type { Messaging } from '../../bot/context';
import type { DbTx } from '../../db';
import type { WorkOrder } from '../../generated/prisma/client';
import { templateCard, type OutboundContent } from '../../platform/outbound';
import { nearestManagement } from '../../people';
import { workOrderOpened } from './followups';
import { WORKORDER_CARDS } from './keys';
import { maintenanceContact, type Priority, type RepairSetup } from './setup';

type Tx = Messaging & { db: DbTx };

export const PRIORITY_TEXT: Record<Priority, string> = { high: '紧急', normal: '普通', low: '不急' };
export const STATE_TEXT: Record<string, string> = { open: '待受理', acknowledged: '处理中', closed: '已完成' };

export interface NewWorkOrder {
  /** What raised it: a work order is opened once per source (a retry opens nothing). */
  sourceRef: string;
  storeCode: string;
  equipment: string;
  equipmentName: string;
  description: string;
  priority: Priority;
  openedBy: string;
  at: Date;
  repairSetup: RepairSetup;
  inboundId: string;
  photoIds?: bigint[];
}

/**
 * Opens a work order in the caller's transaction and sends its card to the store manager and the
 * maintenance contact, who acknowledge, update and close it from the card. Opening it again from
 * the same source returns the first one and sends nothing.
 */
export async function openWorkOrder(tx: Tx, input: NewWorkOrder): Promise<WorkOrder> {
  const earlier = await tx.db.workOrder.findUnique({ where: { sourceRef: input.sourceRef } });
  if (earlier) return earlier;
  const managers = (await nearestManagement(tx.db, input.storeCode)).map((m) => m.userid);
  const contact = maintenanceContact(input.repairSetup, input.equipment);
  const recipients = [...new Set([...managers, ...(contact ? [contact] : [])])];
  const order = await tx.db.workOrder.create({
    data: {
      sourceRef: input.sourceRef,
      storeCode: input.storeCode,
      equipment: input.equipment,
      description: `${input.equipmentName}：${input.description}`.slice(0, 500),
      priority: input.priority,
      state: 'open',
      openedBy: input.openedBy,
      openedAt: input.at,
      recipients,
      updates: { create: { causeKey: `in:${input.inboundId}:opened`, kind: 'opened', by: input.openedBy, note: input.description, at: input.at } },
    },
  });
  if (input.photoIds?.length) await tx.db.mediaFile.updateMany({ where: { id: { in: input.photoIds }, workOrderId: null }, data: { workOrderId: order.id } });
  const card = await workOrderCard(tx.db, order);
  for (const to of recipients) await tx.send(to, card);
  await workOrderOpened(tx, order, input.repairSetup);
  return order;
}

/** The card the store manager and the maintenance contact get: details, state, and what to do next. */
export async function workOrderCard(db: DbTx, order: WorkOrder): Promise<OutboundContent> {
  const store = await db.store.findUniqueOrThrow({ where: { code: order.storeCode } });
  const opener = await db.staff.findUnique({ where: { userid: order.openedBy } });
  const photos = await db.mediaFile.count({ where: { workOrderId: order.id } });
  const buttons =
    order.state === 'open'
      ? [
          { text: '受理', style: 1, key: `${WORKORDER_CARDS.ack}:${order.id}` },
          { text: '已修好', style: 2, key: `${WORKORDER_CARDS.close}:${order.id}` },
        ]
      : order.state === 'acknowledged'
        ? [
            { text: '更新进度', style: 2, key: `${WORKORDER_CARDS.progress}:${order.id}` },
            { text: '已修好', style: 1, key: `${WORKORDER_CARDS.close}:${order.id}` },
          ]
        : [{ text: '已完成', style: 2, key: `${WORKORDER_CARDS.show}:${order.id}` }];
  return templateCard({
    card_type: 'button_interaction',
    source: { desc: '门店助手 · 维修工单' },
    main_title: { title: `工单 #${order.id} ${store.name}`, desc: order.description.slice(0, 120) },
    horizontal_content_list: [
      { keyname: '优先级', value: PRIORITY_TEXT[order.priority as Priority] ?? order.priority },
      { keyname: '状态', value: STATE_TEXT[order.state] ?? order.state },
      { keyname: '报修人', value: opener?.name ?? order.openedBy },
      { keyname: '照片', value: `${photos} 张` },
    ],
    button_list: buttons,
  });
}
