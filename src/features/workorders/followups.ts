import type { Messaging } from '../../bot/context';
import type { DbTx } from '../../db';
import type { WorkOrder } from '../../generated/prisma/client';
import type { ChecklistTemplate } from '../handover/checklist';

type Tx = Messaging & { db: DbTx };

export async function workOrderOpened(_tx: Tx, _order: WorkOrder, _template: ChecklistTemplate): Promise<void> {}
export async function workOrderAcknowledged(_tx: Tx, _order: WorkOrder, _by: string): Promise<void> {}
export async function workOrderClosed(_tx: Tx, _order: WorkOrder, _by: string): Promise<void> {}
