import crypto from 'node:crypto';
import type { Db } from '../../src/db';
import { openTask } from '../../src/features/tasks';
import type { MediaStore } from '../../src/platform/media';
import type { Harness } from '../helpers/harness';

/** A browser's cookies for one member: what the console set, sent back on every request. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface Member {
  jar: CookieJar;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

export function member(h: Harness, jar = new CookieJar()): Member {
  const m: Member = {
    jar,
    csrf: '',
    async get(path) {
      const res = await fetch(`${h.url}${path}`, { headers: { cookie: jar.header() }, redirect: 'manual' });
      jar.take(res);
      return res;
    },
    async post(path, body = {}, headers = {}) {
      const res = await fetch(`${h.url}${path}`, {
        method: 'POST',
        headers: { cookie: jar.header(), 'content-type': 'application/json', 'x-csrf-token': m.csrf, ...headers },
        body: JSON.stringify(body),
        redirect: 'manual',
      });
      jar.take(res);
      return res;
    },
  };
  return m;
}

/** Signs in through WeCom OAuth as `userid`: /console/login → (WeCom) → /console/auth/callback. */
export async function signIn(h: Harness, userid: string, returnTo = '/console/'): Promise<Member> {
  const m = member(h);
  const login = await m.get(`/console/login?return=${encodeURIComponent(returnTo)}`);
  const authorize = new URL(login.headers.get('location')!);
  const state = authorize.searchParams.get('state')!;
  const callback = await m.get(`/console/auth/callback?code=${h.fake.issueOAuthCode(userid)}&state=${state}`);
  if (callback.status === 302) {
    const me = await m.get('/console/api/me');
    if (me.status === 200) m.csrf = ((await me.json()) as { csrf: string }).csrf;
  }
  return m;
}

/** A tiny real PNG (1×1, one red pixel): what the photo route must hand back byte for byte. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGO4YGAAAAMEATF0v3V3AAAAAElFTkSuQmCC', 'base64');

/**
 * A handover of `storeCode` with one item and its photo, stored through the handover feature's
 * own media store (the console reads it back the same way), and a closed count with one entry.
 */
export async function seedHandoverAndCount(db: Db, media: MediaStore, storeCode: string, at: Date): Promise<{ handoverId: bigint; itemId: bigint; photoId: bigint; countId: bigint }> {
  const handover = await db.handover.create({
    data: { storeCode, outgoingUserid: `out-${storeCode}`, templateScope: '*', templateVersion: 1, state: 'complete', startInboundId: `seed:${storeCode}:${at.getTime()}`, startedAt: at },
  });
  const item = await db.handoverItem.create({ data: { handoverId: handover.id, position: 1, itemKey: 'fridge', kind: 'photo', label: '冰箱温度照片', status: 'ok', answeredAt: at } });
  const sha256 = crypto.createHash('sha256').update(PNG).update(storeCode).digest('hex');
  const storageKey = await media.put(`test/${sha256}.png`, PNG, 'image/png');
  const photo = await db.mediaFile.create({
    data: {
      mediaId: `media-${sha256}`,
      storeCode,
      uploadedBy: `out-${storeCode}`,
      inboundId: `seed:${storeCode}`,
      storageKey,
      contentType: 'image/png',
      size: PNG.length,
      sha256,
      handoverItemId: item.id,
      createdAt: at,
    },
  });
  const count = await db.stockCount.create({
    data: { storeCode, status: 'closed', openedBy: 'seed', openedAt: at, closedBy: 'seed', closedAt: at, externalId: `seed:count:${storeCode}:${at.getTime()}` },
  });
  return { handoverId: handover.id, itemId: item.id, photoId: photo.id, countId: count.id };
}

/**
 * A demo-store waste of 1盒 奶油 held for the store manager (over the day's limit, confirmed by the
 * staff member), with its engine task as the chat flow opens it (kind and source as in loss-limit.ts).
 */
export async function holdForManager(db: Db, sourceKey: string): Promise<bigint> {
  const now = new Date();
  const hold = await db.stockLossHold.create({
    data: {
      sourceKey,
      storeCode: 'S001',
      skuCode: 'CREAM',
      quantity: 1,
      reason: '破损',
      staffUserid: 'zhangxiaomei',
      occurredAt: now,
      dayTotal: 9,
      dayLimit: 3,
      needsManager: true,
      staffConfirmedAt: now,
      createdAt: now,
    },
  });
  await openTask(db, { kind: 'stock.lossHold', sourceRef: `loss-hold:${hold.id}`, storeCode: 'S001', assignee: 'zhangxiaomei', title: '报损待确认：奶油 1盒', dueAt: now }, { now });
  return hold.id;
}
