import type { JobContext } from '../../bot/context';
import type { MembersConfig } from './settings';

import { WecomApiError } from '../../platform/wecom-client';
import { campaignDefinition, describeOffer, type CampaignDefinition } from './campaigns';
import type { SmsProvider } from './sms';

/** Messages created per run: WeCom's API is called once per member (each coupon code is personal). */
const SEND_BATCH = 500;

interface Claimed {
  id: bigint;
  campaign_id: string;
  member_code: string;
  member_name: string | null;
  coupon_code: string;
  valid_until: Date;
  channel: string;
  owner_userid: string | null;
  external_userid: string | null;
  definition: unknown;
}

/** The member's message with their coupon filled in. */
export function couponMessage(def: CampaignDefinition, member: { name: string | null; couponCode: string; validUntil: Date }, timezone: string): string {
  const until = new Intl.DateTimeFormat('zh-CN', { timeZone: timezone, month: 'numeric', day: 'numeric' }).format(member.validUntil);
  return def.message
    .replaceAll('{name}', member.name ?? '')
    .replaceAll('{coupon}', member.couponCode)
    .replaceAll('{offer}', describeOffer(def.coupon))
    .replaceAll('{validUntil}', until);
}

/**
 * Creates the queued campaign messages. A row is claimed (status `sending`, under SKIP LOCKED so
 * replicas share the work) before WeCom is called, and a row left in `sending` by a crash is
 * never retried but marked `unknown`: a customer must not get the same coupon message twice.
 * WeCom sends a customer message only when the owner staff confirms it in their client, so each
 * owner is told in chat how many wait for them.
 */
export async function sendQueued(ctx: Pick<JobContext, 'db' | 'clock' | 'wecom' | 'log' | 'send'>, timezone: string, sms: SmsProvider | null): Promise<number> {
  const { db, clock, wecom, log } = ctx;
  const now = clock.now();
  // Rows a crashed run claimed but never finished: WeCom may or may not have the message.
  await db.$executeRaw`UPDATE campaign_member SET status = 'unknown', failure = 'interrupted while sending'
    WHERE status = 'sending' AND sent_at < ${new Date(now.getTime() - 10 * 60_000)}`;
  const claimed = await db.$queryRaw<Claimed[]>`
    UPDATE campaign_member c SET status = 'sending', sent_at = ${now}
    FROM member m, campaign k
    WHERE c.id IN (SELECT id FROM campaign_member WHERE status = 'queued' ORDER BY id LIMIT ${SEND_BATCH} FOR UPDATE SKIP LOCKED)
      AND m.code = c.member_code AND k.id = c.campaign_id
    RETURNING c.id, c.campaign_id, c.member_code, m.name AS member_name, c.coupon_code, c.valid_until, c.channel, c.owner_userid, c.external_userid, k.definition`;
  const waiting = new Map<string, Map<string, number>>();
  for (const row of claimed) {
    const def = campaignDefinition.parse(row.definition);
    const content = couponMessage(def, { name: row.member_name, couponCode: row.coupon_code, validUntil: row.valid_until }, timezone);
    try {
      if (row.channel === 'sms') {
        if (!sms) throw new Error('sms provider is off');
        await sms.send({ memberCode: row.member_code, text: content });
        await db.campaignMember.update({ where: { id: row.id }, data: { status: 'delivered', deliveredAt: now } });
        continue;
      }
      const answer = await wecom.addMsgTemplate({ sender: row.owner_userid!, external_userid: [row.external_userid!], text: { content } });
      if (answer.fail_list?.includes(row.external_userid!)) {
        await db.campaignMember.update({ where: { id: row.id }, data: { status: 'failed', failure: 'not a contact of the owner staff' } });
        continue;
      }
      await db.campaignMember.update({ where: { id: row.id }, data: { status: 'awaiting_confirmation', msgid: answer.msgid, nextCheckAt: nextConfirmationCheck(now, now) } });
      const byOwner = waiting.get(row.owner_userid!) ?? new Map<string, number>();
      byOwner.set(def.name, (byOwner.get(def.name) ?? 0) + 1);
      waiting.set(row.owner_userid!, byOwner);
    } catch (err) {
      // WeCom answered no: nothing was created. Anything else (timeout, HTTP error): we cannot tell.
      const status = err instanceof WecomApiError ? 'failed' : 'unknown';
      log.warn({ err, campaign: row.campaign_id, member: row.member_code, status }, 'campaign message not created');
      await db.campaignMember.update({ where: { id: row.id }, data: { status, failure: String((err as Error).message).slice(0, 300) } });
    }
  }
  for (const [owner, campaigns] of waiting) {
    const lines = [...campaigns].map(([name, n]) => `· ${name}：${n} 位客户`).join('\n');
    await ctx.send(owner, `【会员活动】有优惠券消息等你确认发送：\n${lines}\n请在企业微信 → 客户联系 → 群发助手 里确认发送（确认后客户才会收到）。`);
  }
  return claimed.length;
}

/** Messages whose confirmation is read back per run, and WeCom's page size for their recipients. */
const POLL_MESSAGES = 200;
const RESULT_PAGE = 1000;
/** The next read-back of an unconfirmed message waits as long as the message is old, within these bounds. */
const FIRST_CHECK_MS = 60_000;
const LONGEST_WAIT_MS = 6 * 3_600_000;

/** When to ask again about a message sent at `sentAt`: exponential by age — one, two, four… minutes after it went out, at most six hours apart. */
export function nextConfirmationCheck(sentAt: Date, now: Date): Date {
  const age = now.getTime() - sentAt.getTime();
  return new Date(now.getTime() + Math.min(LONGEST_WAIT_MS, Math.max(FIRST_CHECK_MS, age)));
}

/**
 * Asks WeCom which messages the owners confirmed (get_groupmsg_send_result): 1 delivered,
 * 2 not a contact, 3 over WeCom's monthly cap. One call per message id and page of its
 * recipients, not per member; only messages due for a check — a message is asked about again
 * after as long as it has been waiting (see nextConfirmationCheck), since owners confirm soon or
 * late, and every call counts against the corp's API quota. A message still unconfirmed when its
 * coupon has expired is given up (failed) and, once none of its customers is still waiting, stopped
 * in WeCom (cancel_groupmsg_send) so the owner cannot send the dead coupon later. Messages unconfirmed after `remindAfterHours` get WeCom's reminder and a chat line to
 * their owner, once.
 */
export async function pollConfirmations(ctx: Pick<JobContext, 'db' | 'clock' | 'wecom' | 'log' | 'send'>, settings: MembersConfig): Promise<{ delivered: number; failed: number; reminded: number }> {
  const { db, clock, wecom, log } = ctx;
  const now = clock.now();
  const due = await db.$queryRaw<{ msgid: string; owner_userid: string }[]>`
    SELECT msgid, min(owner_userid) AS owner_userid FROM campaign_member
    WHERE status = 'awaiting_confirmation' AND (next_check_at IS NULL OR next_check_at <= ${now})
    GROUP BY msgid ORDER BY min(coalesce(next_check_at, sent_at)) LIMIT ${POLL_MESSAGES}`;
  let delivered = 0;
  let failed = 0;
  const remind = new Map<string, number>();
  for (const { msgid, owner_userid: owner } of due) {
    const results = new Map<string, { status: number; send_time?: number }>();
    try {
      let cursor: string | undefined;
      do {
        const page = await wecom.getGroupMsgSendResult({ msgid, userid: owner, limit: RESULT_PAGE, ...(cursor ? { cursor } : {}) });
        for (const s of page.send_list) results.set(s.external_userid, s);
        cursor = page.next_cursor || undefined;
      } while (cursor);
    } catch (err) {
      log.warn({ err, msgid }, 'could not read a campaign message result');
      continue;
    }
    const rows = await db.campaignMember.findMany({
      where: { msgid, status: 'awaiting_confirmation' },
      select: { id: true, externalUserid: true, sentAt: true, remindedAt: true, validUntil: true },
    });
    let remindMessage = false;
    let expired = false;
    const updates: { id: bigint; status: string; deliveredAt: Date | null; failure: string | null; nextCheckAt: Date | null; remindedAt: Date | null }[] = [];
    for (const row of rows) {
      const mine = results.get(row.externalUserid!);
      const status = mine?.status ?? 0;
      const settled = { deliveredAt: null, failure: null, nextCheckAt: null, remindedAt: null };
      if (status === 1) {
        delivered++;
        updates.push({ ...settled, id: row.id, status: 'delivered', deliveredAt: mine?.send_time ? new Date(mine.send_time * 1000) : now });
      } else if (status === 2 || status === 3) {
        failed++;
        updates.push({ ...settled, id: row.id, status: 'failed', failure: status === 2 ? 'not a contact' : 'customer reached the monthly mass-message cap' });
      } else if (row.validUntil <= now) {
        failed++;
        expired = true;
        updates.push({ ...settled, id: row.id, status: 'failed', failure: 'the owner did not confirm before the coupon expired' });
      } else {
        const sentAt = row.sentAt ?? now;
        const remindNow = !row.remindedAt && now.getTime() - sentAt.getTime() >= settings.remindAfterHours * 3_600_000;
        if (remindNow) {
          remindMessage = true;
          remind.set(owner, (remind.get(owner) ?? 0) + 1);
        }
        updates.push({ ...settled, id: row.id, status: 'awaiting_confirmation', nextCheckAt: nextConfirmationCheck(sentAt, now), remindedAt: remindNow ? now : null });
      }
    }
    // One statement per message, however many customers it went to.
    await db.$executeRaw`
      UPDATE campaign_member c SET status = u.status, delivered_at = u.delivered_at, failure = u.failure, next_check_at = u.next_check_at,
        reminded_at = coalesce(u.reminded_at, c.reminded_at)
      FROM unnest(${updates.map((u) => u.id)}::bigint[], ${updates.map((u) => u.status)}::text[], ${updates.map((u) => u.deliveredAt)}::timestamptz[],
                  ${updates.map((u) => u.failure)}::text[], ${updates.map((u) => u.nextCheckAt)}::timestamptz[], ${updates.map((u) => u.remindedAt)}::timestamptz[])
        AS u(id, status, delivered_at, failure, next_check_at, reminded_at)
      WHERE c.id = u.id`;
    if (remindMessage) {
      try {
        await wecom.remindGroupMsgSend(msgid);
      } catch (err) {
        log.warn({ err, msgid }, 'WeCom reminder failed; the chat reminder still goes');
      }
    }
    if (expired && updates.every((u) => u.status !== 'awaiting_confirmation')) {
      try {
        await wecom.cancelGroupMsgSend(msgid);
      } catch (err) {
        // The rows are settled either way; an owner sending it now would only deliver a dead coupon.
        log.warn({ err, msgid }, 'could not stop an expired coupon message in WeCom');
      }
    }
  }
  for (const [owner, n] of remind) {
    await ctx.send(owner, `【会员活动】还有 ${n} 条优惠券消息没有确认发送。请在企业微信 → 客户联系 → 群发助手 里确认，客户才会收到。`);
  }
  return { delivered, failed, reminded: remind.size };
}
