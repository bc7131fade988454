import crypto from 'node:crypto';
import { signSync, syncSigningString } from '../../../src/edge/sync';
import type { Clock } from '../../../src/clock';
import type { Db } from '../../../src/db';

export const POS_SECRET = 'pos-secret-0123456789';
export const MEMBER_ENV = { SYNC_KEYS: `pos:${POS_SECRET}`, MEMBERS_PHONE_PEPPER: 'test-pepper-0123456789' };

/** POSTs a document to the sync API signed as the POS. */
export function postSigned(url: string, clock: Clock, document: string, payload: unknown): Promise<Response> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  const nonce = crypto.randomUUID();
  const path = `/api/sync/${document}`;
  const signature = signSync(POS_SECRET, syncSigningString(timestamp, nonce, 'POST', path, body));
  return fetch(`${url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-sync-source': 'pos', 'x-sync-timestamp': timestamp, 'x-sync-nonce': nonce, 'x-sync-signature': signature },
  });
}

/** Two stores, their staff and a store manager, as master data would have them. */
export async function seedChain(db: Db): Promise<void> {
  await db.store.createMany({
    data: [
      { code: 'S001', name: '一店', area: '华东区' },
      { code: 'S002', name: '二店', area: '华东区' },
    ],
  });
  await db.staff.createMany({
    data: [
      { userid: 'xiaomei', name: '小美', storeCode: 'S001', role: 'staff' },
      { userid: 'chenjing', name: '陈静', storeCode: 'S002', role: 'staff' },
      { userid: 'zhou', name: '周店长', storeCode: 'S001', role: 'store_manager' },
      { userid: 'liu', name: '刘经理', role: 'area_manager', area: '华东区' },
    ],
  });
}

export const daysAgo = (clock: Clock, days: number, hours = 0) => new Date(clock.now().getTime() - days * 86_400_000 - hours * 3_600_000).toISOString();
