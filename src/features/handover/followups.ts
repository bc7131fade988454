import type { Messaging } from '../../bot/context';
import type { DbTx } from '../../db';
import type { Handover, Staff } from '../../generated/prisma/client';
import { managerFor, managesStore } from '../../people';
import { closeTask, openTask, type TaskRef } from '../tasks';
import { HANDOVER_CARDS } from './keys';

type Tx = Messaging & { db: DbTx };

/** What the store manager is asked to settle for a handover; each is a task of its own kind. */
export type ManagerCase = 'dispute' | 'cashDifference';

const confirmRef = (handover: Handover): TaskRef => ({ kind: 'handover.confirm', sourceRef: `handover:${handover.id}` });
const caseRef = (handover: Handover, what: ManagerCase): TaskRef => ({ kind: `handover.${what}`, sourceRef: `handover:${handover.id}` });

/**
 * The incoming colleague is to confirm by `deadline`. A task due then: if it is still open, the
 * ladder `handover.confirm` reminds them and pings the store manager, whose card can settle it.
 */
export async function expectConfirmation(tx: Tx, handover: Handover, deadline: Date, title: string, now: Date): Promise<void> {
  await openTask(
    tx.db,
    {
      ...confirmRef(handover),
      storeCode: handover.storeCode,
      assignee: handover.incomingUserid,
      title,
      detail: '接班同事还没有确认交班。',
      dueAt: deadline,
      ladder: 'handover.confirm',
      actions: [
        { key: `${HANDOVER_CARDS.confirmAll}:${handover.id}`, label: '全部确认' },
        { key: `${HANDOVER_CARDS.review}:${handover.id}`, label: '逐项确认' },
        { key: `${HANDOVER_CARDS.resolve}:${handover.id}:late`, label: '店长已处理' },
      ],
    },
    { by: handover.outgoingUserid, now },
  );
}

/** Both sides acted: the confirmation task is done (its cards say so). */
export async function confirmationDone(tx: Tx, handover: Handover, by: string, inboundId: string, now: Date): Promise<void> {
  await closeTask(tx.db, confirmRef(handover), { state: 'done', by, inboundId, now });
}

/**
 * Who may settle a handover's dispute, cash difference or late confirmation (店长已处理): the
 * store's management (store manager, area manager, admin). The same rule names the assignee of
 * those tasks, so their cards never reach someone whose tap would be refused.
 */
export const maySettle = (db: DbTx, staff: Staff | null, handover: Handover) => managesStore(db, staff, handover.storeCode);

/** A dispute or a cash difference: the store manager gets the details and a card to resolve, now. */
export async function askManager(tx: Tx, handover: Handover, what: ManagerCase, title: string, detail: string, now: Date): Promise<void> {
  await openTask(
    tx.db,
    {
      ...caseRef(handover, what),
      storeCode: handover.storeCode,
      // Given to a manager by name (not left to the staff on shift), so it is in their 我的任务.
      assignee: await managerFor(tx.db, handover.storeCode),
      title,
      detail,
      dueAt: now,
      actions: [{ key: `${HANDOVER_CARDS.resolve}:${handover.id}:${what}`, label: '已处理' }],
    },
    { now },
  );
}

/** What a manager's 已处理 settles: a dispute, a cash difference, or a confirmation not made in time. */
export type Settled = ManagerCase | 'late';
export const SETTLED_LABELS: Record<Settled, string> = { dispute: '异议', cashDifference: '现金差异', late: '超时未确认' };

/** The manager settled one case of the handover; false when it was settled before (a second tap, a retry). */
export async function managerResolved(tx: Tx, handover: Handover, what: Settled, by: string, inboundId: string, now: Date): Promise<boolean> {
  const ref = what === 'late' ? confirmRef(handover) : caseRef(handover, what);
  const task = await tx.db.task.findUnique({ where: { kind_sourceRef: ref } });
  if (!task) return false;
  const { changed } = await closeTask(tx.db, ref, { state: 'done', by, inboundId, note: '店长已处理', now });
  return changed;
}
