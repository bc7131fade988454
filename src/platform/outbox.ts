import crypto from 'node:crypto';
import type { DbTx } from '../db';
import type { Prisma } from '../generated/prisma/client';
import { splitContent, text, type OutboundContent } from './outbound';

export interface OutboxItem {
  /** A WeCom userid. One recipient per row, so per-member rate limits can be kept. */
  to: string;
  content: OutboundContent;
  /**
   * Makes the enqueue idempotent: handlers run at least once, and a second run with the same
   * key enqueues nothing. Derive it from what caused the message (inbound id, cron fire).
   */
  idempotencyKey?: string;
}

/**
 * The only way a message leaves the bot: a row in outbox_message, written with the caller's
 * transaction when it has one, delivered later by the sender worker.
 */
export async function enqueue(db: DbTx, items: OutboxItem[], now: Date): Promise<number> {
  const rows = items.flatMap((item) => toRows(item)).map((row) => ({ ...row, createdAt: now, nextAttemptAt: now }));
  if (rows.length === 0) return 0;
  const result = await db.outboxMessage.createMany({ data: rows, skipDuplicates: true });
  return result.count;
}

/**
 * A `send` — to one member or several, text or any outbound content — that enqueues each message
 * under the key `nextKey()` gives next. Keys derived from the cause (`in:<inbound id>:<n>`,
 * `cron:<fire>:<n>`) make a re-run, which sends in the same order, enqueue nothing twice.
 */
export function keyedSend(db: DbTx, nextKey: () => string, now: () => Date): (to: string | string[], content: string | OutboundContent) => Promise<void> {
  return async (to, content) => {
    const items = (Array.isArray(to) ? to : [to]).map((recipient) => ({ to: recipient, content: typeof content === 'string' ? text(content) : content, idempotencyKey: nextKey() }));
    await enqueue(db, items, now());
  };
}

function toRows(item: OutboxItem): Prisma.OutboxMessageCreateManyInput[] {
  const { content } = item;
  if (content.kind === 'card_update') {
    const { responseCode, ...change } = content.update;
    const body = 'replaceName' in change ? { response_code: responseCode, button: { replace_name: change.replaceName } } : { response_code: responseCode, template_card: change.card };
    return [{ recipient: item.to, kind: content.kind, body: body as Prisma.InputJsonObject, idempotencyKey: item.idempotencyKey }];
  }
  if (content.kind === 'template_card') {
    // task_id must be unique per app; derive it from the idempotency key so a re-run reuses it.
    const taskId = content.card.task_id ?? taskIdFor(item.idempotencyKey);
    return [{ recipient: item.to, kind: content.kind, body: { ...content.card, task_id: taskId }, idempotencyKey: item.idempotencyKey }];
  }
  if (content.kind === 'image') {
    return [{ recipient: item.to, kind: content.kind, body: { media_id: content.mediaId }, idempotencyKey: item.idempotencyKey }];
  }
  const parts = splitContent(content.content);
  return parts.map((part, i) => ({
    recipient: item.to,
    kind: content.kind,
    body: { content: part },
    idempotencyKey: item.idempotencyKey && parts.length > 1 ? `${item.idempotencyKey}#${i + 1}` : item.idempotencyKey,
  }));
}

/** WeCom task ids: at most 128 bytes of [A-Za-z0-9_\-@]. */
function taskIdFor(key: string | undefined): string {
  const basis = key ?? crypto.randomUUID();
  return `t_${crypto.createHash('sha256').update(basis).digest('hex').slice(0, 40)}`;
}

/**
 * Withdraws messages not yet handed to WeCom (a reminder for a task closed meanwhile). Rows already
 * being sent are left alone: the caller finds them sent later. Returns the keys withdrawn.
 */
export async function cancelUnsent(db: DbTx, idempotencyKeys: string[], reason: string): Promise<string[]> {
  if (idempotencyKeys.length === 0) return [];
  const rows = await db.outboxMessage.updateManyAndReturn({
    where: { idempotencyKey: { in: idempotencyKeys }, status: 'pending' },
    data: { status: 'cancelled', lastError: reason },
    select: { idempotencyKey: true },
  });
  return rows.map((r) => r.idempotencyKey!);
}

/** How long WeCom accepts a card's response_code (path/94888). */
export const RESPONSE_CODE_TTL_MS = 72 * 3_600_000;

/** A card as the outbox holds it: where it went, and what WeCom answered when it was sent. */
export interface OutboxCard {
  key: string;
  recipient: string;
  status?: string;
  responseCode?: string | null;
  sentAt?: Date | null;
}

/**
 * Greys out the buttons of cards WeCom accepted, showing `label`: update_template_card with the
 * response_code WeCom gave each one, while it is valid (single-use, 72 h). A card never accepted,
 * or whose code has expired, stays as it is. Keyed `<card key>:<purpose>`, so once per purpose.
 * Returns how many updates were enqueued.
 */
export async function relabelSentCards(db: DbTx, cards: OutboxCard[], label: string, purpose: string, now: Date): Promise<number> {
  const updates = cards
    .filter((c) => c.status === 'sent' && c.responseCode && c.sentAt && now.getTime() - c.sentAt.getTime() < RESPONSE_CODE_TTL_MS)
    .map((c) => ({ to: c.recipient, content: { kind: 'card_update' as const, update: { responseCode: c.responseCode!, replaceName: label } }, idempotencyKey: `${c.key}:${purpose}` }));
  await enqueue(db, updates, now);
  return updates.length;
}
