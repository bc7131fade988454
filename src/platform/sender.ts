import type { Db } from '../db';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Metrics } from './metrics';
import { WecomApiError, WecomHttpError, type WecomClient } from './wecom-client';
import type { OutboxMessage, Prisma } from '../generated/prisma/client';

/**
 * WeCom silently drops messages past 30 a minute or 1,000 an hour to one member, so we stay
 * below both with room for sends made outside the bot.
 */
export const RATE_LIMITS = [
  { windowMs: 60_000, max: 25 },
  { windowMs: 3_600_000, max: 900 },
] as const;

/** errcodes worth another try: system busy, API frequency and concurrency limits. */
const RETRYABLE_CODES = new Set([-1, 45009, 45033, 45011, 45047]);
const MAX_ATTEMPTS = 8;
/** "taskid has existed": the card's task_id (ours, derived from the row's key) is already WeCom's. */
const TASK_ID_TAKEN = 42014;
/** A row claimed by a worker that died is taken over after this. */
const CLAIM_LEASE_MS = 60_000;

export interface SenderOptions {
  db: Db;
  wecom: WecomClient;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  duplicateCheckSeconds: number;
  pollIntervalMs?: number;
  batchSize?: number;
}

/**
 * Drains the outbox: claims due rows (SKIP LOCKED, so replicas share the work), keeps each
 * member under WeCom's rate limits, sends, and records the outcome — sent, retry with backoff,
 * or dead with the last error.
 */
export class OutboxSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private wakeRequested = false;
  private stopped = true;

  constructor(private readonly opts: SenderOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Ask for a drain now (after a handler enqueued something) instead of at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.wakeRequested = true;
    else this.schedule(0);
  }

  /** Resolves when no drain is running (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass over the due rows; returns how many were attempted. Tests call it directly. */
  async drainOnce(): Promise<number> {
    // The claim takes at most one row per member (their oldest unsent), so these go out in parallel.
    const rows = await this.claim();
    await Promise.all(rows.map((row) => this.deliver(row)));
    return rows.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.loop().finally(() => {
        this.running = null;
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? 0 : (this.opts.pollIntervalMs ?? 1000));
      });
    }, delayMs);
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped && (await this.drainOnce()) > 0);
    } catch (err) {
      this.opts.log.error({ err }, 'outbox drain failed; will try again');
    }
  }

  private async claim(): Promise<OutboxMessage[]> {
    const now = this.opts.clock.now();
    const leaseUntil = new Date(now.getTime() + CLAIM_LEASE_MS);
    return this.opts.db.$queryRaw<OutboxMessage[]>`
      UPDATE outbox_message SET status = 'sending', locked_until = ${leaseUntil}, attempts = attempts + 1
      WHERE id IN (
        SELECT m.id FROM outbox_message m
        WHERE ((m.status = 'pending' AND m.next_attempt_at <= ${now}) OR (m.status = 'sending' AND m.locked_until < ${now}))
          -- A member gets their messages in the order they were written, across retries and replicas.
          AND NOT EXISTS (SELECT 1 FROM outbox_message e WHERE e.recipient = m.recipient AND e.id < m.id AND e.status IN ('pending', 'sending'))
        ORDER BY m.id LIMIT ${this.opts.batchSize ?? 50}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, idempotency_key AS "idempotencyKey", recipient, kind, body, status, attempts,
        next_attempt_at AS "nextAttemptAt", locked_until AS "lockedUntil", last_error AS "lastError",
        wecom_msg_id AS "wecomMsgId", response_code AS "responseCode", created_at AS "createdAt",
        attempted_at AS "attemptedAt", sent_at AS "sentAt"`;
  }

  /**
   * Records the outcome only while this worker still holds the row's lease: a worker that
   * stalled past it must not overwrite what the replica that took over has recorded.
   */
  private async settle(row: OutboxMessage, data: Prisma.OutboxMessageUpdateManyMutationInput): Promise<boolean> {
    const { count } = await this.opts.db.outboxMessage.updateMany({ where: { id: row.id, status: 'sending', lockedUntil: row.lockedUntil }, data });
    if (count === 0) this.opts.log.warn({ outboxId: String(row.id) }, 'outbox lease lost before the outcome was recorded; the other worker owns the row');
    return count === 1;
  }

  private async deliver(row: OutboxMessage): Promise<void> {
    const { clock, log, metrics } = this.opts;
    // A card update is not a new message to the member: it does not count toward their limits.
    const { waitMs, body } = row.kind === 'card_update' ? { waitMs: 0, body: row.body } : await this.reserveAttempt(row);
    if (waitMs > 0) {
      // Not an attempt: hand the row back untouched except for when to look at it again.
      await this.settle(row, { status: 'pending', attempts: { decrement: 1 }, lockedUntil: null, nextAttemptAt: new Date(clock.now().getTime() + waitMs) });
      metrics.outboxSends.inc({ result: 'rate_limited' });
      return;
    }
    try {
      const answer =
        row.kind === 'card_update'
          ? await this.opts.wecom.updateTemplateCard({ ...(row.body as Record<string, unknown>), userids: [row.recipient] })
          : await this.opts.wecom.sendMessage(this.toWecom({ ...row, body }));
      if ('invaliduser' in answer && answer.invaliduser) log.warn({ outboxId: String(row.id), invaliduser: answer.invaliduser }, 'wecom did not deliver to some users (outside the app visibility?)');
      await this.settle(row, {
        status: 'sent',
        sentAt: clock.now(),
        lockedUntil: null,
        wecomMsgId: (answer.msgid as string | undefined) ?? null,
        responseCode: (answer.response_code as string | undefined) ?? null,
        lastError: null,
      });
      metrics.outboxSends.inc({ result: 'sent' });
    } catch (err) {
      if (err instanceof WecomApiError && err.errcode === TASK_ID_TAKEN && row.kind === 'template_card' && row.attempts > 1) {
        // A resend after an attempt whose outcome was never recorded (a crash, a timeout): WeCom
        // took the card then. It reached the member; only its response_code is lost, so a later
        // update of this card cannot be made and is given up where it is tried.
        await this.settle(row, { status: 'sent', sentAt: clock.now(), lockedUntil: null, lastError: 'delivered by an earlier attempt (42014 taskid has existed); response_code unknown' });
        metrics.outboxSends.inc({ result: 'sent' });
        log.warn({ outboxId: String(row.id), recipient: row.recipient }, 'card already delivered by an earlier attempt; its response_code is unknown');
        return;
      }
      const retryable = err instanceof WecomHttpError || (err instanceof WecomApiError ? RETRYABLE_CODES.has(err.errcode) : isNetworkError(err));
      const dead = !retryable || row.attempts >= MAX_ATTEMPTS;
      const lastError = err instanceof Error ? err.message : String(err);
      await this.settle(
        row,
        dead ? { status: 'dead', lockedUntil: null, lastError } : { status: 'pending', lockedUntil: null, lastError, nextAttemptAt: new Date(clock.now().getTime() + backoffMs(row.attempts)) },
      );
      metrics.outboxSends.inc({ result: dead ? 'dead' : 'retry' });
      log[dead ? 'error' : 'warn'](
        { outboxId: String(row.id), recipient: row.recipient, attempts: row.attempts, err: lastError },
        dead ? 'outbox message dead-lettered' : 'outbox send failed; will retry',
      );
    }
  }

  /**
   * Under an advisory lock on the member (so two replicas cannot both take the last slot):
   * counts their sends in each window, and if there is room records this attempt's time and
   * settles the exact request body. Returns the wait (0: go) and the body to send.
   */
  private async reserveAttempt(row: OutboxMessage): Promise<{ waitMs: number; body: Prisma.JsonValue }> {
    const now = this.opts.clock.now();
    return this.opts.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'outbox-rate:' + row.recipient}))`;
      for (const { windowMs, max } of RATE_LIMITS) {
        const since = new Date(now.getTime() - windowMs);
        const recent = await tx.$queryRaw<{ attempted_at: Date }[]>`
          SELECT attempted_at FROM outbox_message
          WHERE recipient = ${row.recipient} AND attempted_at > ${since} AND id <> ${row.id}
          ORDER BY attempted_at DESC LIMIT ${max}`;
        if (recent.length >= max) return { waitMs: recent[max - 1].attempted_at.getTime() + windowMs - now.getTime() + 1, body: row.body };
      }
      const body = await this.distinctFromRecent(tx, row, now);
      // Counted from the attempt, not the success: WeCom counts a send it accepted even if we crash after.
      await tx.outboxMessage.update({ where: { id: row.id }, data: { attemptedAt: now, ...(body !== row.body ? { body: body as Prisma.InputJsonObject } : {}) } });
      return { waitMs: 0, body };
    });
  }

  /**
   * WeCom's duplicate check drops a request whose JSON equals one it took for the same person
   * within the interval. That is what makes a resend of THIS row (after a crash or a lost answer)
   * arrive once — but a different row with the same words (`查库存 奶油` asked twice, the same
   * refusal to the same wrong input) must arrive too. So a text or markdown row whose content
   * equals one sent to this person within the interval gets invisible marks at its end, chosen
   * here, saved with the row before the request, and sent unchanged on every retry. A repeated
   * image (same media_id) cannot be told apart this way; cards never repeat (their task_id is new).
   */
  private async distinctFromRecent(tx: Prisma.TransactionClient, row: OutboxMessage, now: Date): Promise<Prisma.JsonValue> {
    const seconds = this.opts.duplicateCheckSeconds;
    if (seconds === 0 || (row.kind !== 'text' && row.kind !== 'markdown')) return row.body;
    const content = (row.body as { content: string }).content;
    const since = new Date(now.getTime() - seconds * 1000);
    const recent = await tx.$queryRaw<{ content: string }[]>`
      SELECT body->>'content' AS content FROM outbox_message
      WHERE recipient = ${row.recipient} AND kind = ${row.kind} AND attempted_at > ${since} AND id <> ${row.id}
        AND starts_with(body->>'content', ${content})`;
    const taken = new Set(recent.map((r) => r.content));
    if (!taken.has(content)) return row.body;
    let n = 1;
    while (taken.has(content + distinctMark(n))) n++;
    return { ...(row.body as object), content: content + distinctMark(n) };
  }

  private toWecom(row: OutboxMessage): Record<string, unknown> {
    const body = row.body as Record<string, unknown>;
    return {
      touser: row.recipient,
      msgtype: row.kind,
      [row.kind]: body,
      // After a crash or a lost answer the row is sent again, the same JSON: WeCom drops the repeat within this window.
      enable_duplicate_check: this.opts.duplicateCheckSeconds > 0 ? 1 : 0,
      duplicate_check_interval: this.opts.duplicateCheckSeconds || undefined,
    };
  }
}

/** `n` in binary as zero-width space (1) and zero-width non-joiner (0): invisible in WeCom's chat. */
export function distinctMark(n: number): string {
  return n.toString(2).replace(/1/g, '\u200b').replace(/0/g, '\u200c');
}

/** The words a person reads: a message without the marks distinctMark adds. */
export function visibleText(content: unknown): string {
  return String(content).replace(/[\u200b\u200c]/g, '');
}

/** 5 s, 15 s, 45 s … capped at 10 minutes. */
export function backoffMs(attempt: number): number {
  return Math.min(5_000 * 3 ** Math.max(0, attempt - 1), 600_000);
}

function isNetworkError(err: unknown): boolean {
  // fetch's "fetch failed" is a TypeError; compared by name, as undici's may come from another realm.
  return ['TypeError', 'TimeoutError', 'AbortError'].includes((err as Error | undefined)?.name ?? '');
}
