import type { Messaging } from '../../bot/context';
import type { DbTx } from '../../db';
import type { Handover } from '../../generated/prisma/client';
import { templateCard } from '../../platform/outbound';
import { storeManagers } from './people';

type Tx = Messaging & { db: DbTx };

/** The incoming colleague is to confirm by `deadline`. */
export async function expectConfirmation(_tx: Tx, _handover: Handover, _deadline: Date, _title: string): Promise<void> {}

export async function confirmationDone(_tx: Tx, _handover: Handover, _by: string): Promise<void> {}

/** A dispute or a cash difference: the store manager gets the details and a card to resolve. */
export async function askManager(tx: Tx, handover: Handover, what: 'dispute' | 'cashDifference' | 'late', title: string, detail: string, _now: Date): Promise<void> {
  const managers = await storeManagers(tx.db, handover.storeCode);
  for (const m of managers) {
    await tx.send(
      m.userid,
      templateCard({ card_type: 'button_interaction', main_title: { title, desc: detail.slice(0, 200) }, button_list: [{ text: '已处理', style: 1, key: `handover.resolve:${handover.id}:${what}` }] }),
    );
  }
}

export async function managerResolved(_tx: Tx, _handover: Handover, _by: string): Promise<void> {}
