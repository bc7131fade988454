import type { Db } from '../db';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { Metrics } from '../platform/metrics';
import { keyedSend } from '../platform/outbox';
import type { WecomClient } from '../platform/wecom-client';
import type { BotContext, Messaging } from './context';
import type { DbTx } from '../db';
import { UserFacingError } from './errors';
import type { InboundFields, InboundMessage } from './message';
import type { BotRegistry, Candidate } from './registry';

/** A handler still running after this is presumed dead with its process; the row is taken over. */
const PROCESSING_LEASE_MS = 120_000;
/** Rows stored but not picked up in-process (a crash after ack) are recovered after this. */
const RECOVERY_AGE_MS = 3_000;
const MAX_ATTEMPTS = 3;

/** A message whose handler took its process down every time it ran. */
class PoisonMessage extends Error {
  constructor(crashes: number) {
    super(`the handler died with its process ${crashes} times; not running it again`);
    this.name = 'PoisonMessage';
  }
}

export const APOLOGY = '抱歉，这条消息处理出错了，我们已记录下来。请稍后再试，或联系店长。';

interface ClaimedRow {
  id: bigint;
  payload: InboundFields;
  attempts: number;
  lockedUntil: Date;
}

export interface ProcessorOptions {
  db: Db;
  bot: BotRegistry;
  wecom: WecomClient;
  clock: Clock;
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Called after a handler enqueued messages, so the sender need not wait for its next poll. */
  onEnqueued: () => void;
  concurrency?: number;
  /**
   * While this answers true (callbacks are being stored), one handler runs at a time: WeCom wants
   * its ack within 5 s and retries what it does not get, while a reply may lag a burst by seconds.
   */
  yieldTo?: () => boolean;
  recoveryIntervalMs?: number;
}

/**
 * Runs handlers for stored inbound messages, after the callback has been acknowledged.
 * New rows are handed over in-process; a periodic sweep picks up rows that a crashed process
 * stored but never handled. Processing is at least once: the claim is a conditional UPDATE, so
 * two replicas never run the same row at once, and replies are idempotent by inbound id.
 */
export class InboundProcessor {
  private readonly queue: { id: string; fromUser?: string }[] = [];
  /**
   * Senders with a message queued or running here. A newer message of theirs is not queued: the
   * claim would refuse it (an earlier one is unhandled), and the one in flight hands over to it.
   */
  private readonly sendersInFlight = new Set<string>();
  private active = 0;
  private idle: (() => void)[] = [];
  private sweepTimer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(private readonly opts: ProcessorOptions) {}

  start(): void {
    this.stopped = false;
    void this.sweep();
  }

  /** Hand over a freshly stored row (with its sender, when known). */
  submit(id: string, fromUser?: string): void {
    if (this.stopped) return;
    if (fromUser !== undefined) {
      if (this.sendersInFlight.has(fromUser)) return;
      this.sendersInFlight.add(fromUser);
    }
    this.queue.push({ id, fromUser });
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    this.queue.length = 0;
    this.sendersInFlight.clear();
    await this.whenIdle();
  }

  /** Resolves when nothing is running (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Claims and handles rows left behind (crash after ack, failed attempts due again). */
  async sweep(): Promise<void> {
    try {
      const now = this.opts.clock.now();
      const rows = await this.opts.db.$queryRaw<{ id: bigint; from_user: string }[]>`
        SELECT id, from_user FROM inbound_message
        WHERE (status = 'received' AND received_at < ${new Date(now.getTime() - RECOVERY_AGE_MS)}
               AND (locked_until IS NULL OR locked_until < ${now}))
           OR (status = 'processing' AND locked_until < ${now})
        ORDER BY id LIMIT 100`;
      for (const row of rows) this.submit(String(row.id), row.from_user);
    } catch (err) {
      this.opts.log.error({ err }, 'inbound recovery sweep failed; will try again');
    } finally {
      if (!this.stopped) {
        this.sweepTimer = setTimeout(() => void this.sweep(), this.opts.recoveryIntervalMs ?? 5_000);
        this.sweepTimer.unref();
      }
    }
  }

  private pump(): void {
    const limit = this.opts.yieldTo?.() ? 1 : (this.opts.concurrency ?? 8);
    while (this.queue.length > 0 && this.active < limit) {
      const { id, fromUser } = this.queue.shift()!;
      this.active++;
      this.process(id, () => {
        if (fromUser !== undefined) this.sendersInFlight.delete(fromUser);
      })
        .catch((err) => this.opts.log.error({ err, inboundId: id }, 'inbound processing crashed'))
        .finally(() => {
          if (fromUser !== undefined) this.sendersInFlight.delete(fromUser);
          this.active--;
          this.pump();
          if (this.active === 0 && this.queue.length === 0) this.idle.splice(0).forEach((resolve) => resolve());
        });
    }
  }

  /**
   * Takes the row if it is due and nobody holds it — and only if the sender has no earlier message
   * still unhandled, so `入库 …` followed by `撤销` is handled in that order on any replica.
   */
  private async claim(id: string): Promise<ClaimedRow | null> {
    const now = this.opts.clock.now();
    const [row] = await this.opts.db.$queryRaw<ClaimedRow[]>`
      UPDATE inbound_message m
      SET status = 'processing', attempts = attempts + 1, locked_until = ${new Date(now.getTime() + PROCESSING_LEASE_MS)}
      WHERE m.id = ${BigInt(id)}
        AND ((m.status = 'received' AND (m.locked_until IS NULL OR m.locked_until < ${now}))
             OR (m.status = 'processing' AND m.locked_until < ${now}))
        AND NOT EXISTS (SELECT 1 FROM inbound_message e
                        WHERE e.from_user = m.from_user AND e.id < m.id AND e.status IN ('received', 'processing'))
      RETURNING m.id, m.payload, m.attempts, m.locked_until AS "lockedUntil"`;
    return row ?? null;
  }

  /** After a message is finished, its sender's next one (held back by the ordering rule) may go. */
  private async submitNextFrom(fromUser: string): Promise<void> {
    const [next] = await this.opts.db.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM inbound_message WHERE from_user = ${fromUser} AND status = 'received' ORDER BY id LIMIT 1`;
    if (next) this.submit(String(next.id), fromUser);
  }

  /** `settled`: called once the outcome is stored, before the sender's next message is looked up. */
  private async process(id: string, settled: () => void): Promise<void> {
    const row = await this.claim(id);
    if (!row) return; // another worker or replica has it, it waits for an earlier one, or it is done
    const { db, clock, metrics } = this.opts;
    const message: InboundMessage = { ...row.payload, id: String(row.id) };
    const log = this.opts.log.child({ inboundId: message.id, dedupeKey: message.dedupeKey, msgType: message.msgType, event: message.event });
    const type = message.event ? `event:${message.event}` : message.msgType;
    const started = process.hrtime.bigint();
    let outboxSeq = 0;
    // Replies are keyed by inbound id and position, so a re-run of the handler enqueues nothing twice.
    const messaging = (client: DbTx): Messaging => {
      const send = keyedSend(
        client,
        () => `in:${message.id}:${outboxSeq++}`,
        () => clock.now(),
      );
      return {
        reply: (content) => send(message.fromUser, content),
        updateCard: (change) => {
          const responseCode = message.card?.responseCode;
          if (!responseCode) throw new Error(`updateCard called for a message that is not a card tap (${type})`);
          // A replacement card keeps the tapped card's task_id: the client sends it back with the
          // next tap, and a card without one has buttons WeCom cannot route.
          const update = 'card' in change ? { card: { ...change.card, task_id: change.card.task_id ?? message.card?.taskId } } : change;
          return send(message.fromUser, { kind: 'card_update', update: { responseCode, ...update } });
        },
        send,
      };
    };
    const staff = await db.staff.findUnique({ where: { userid: message.fromUser } });
    const contextFor = (found: Candidate['found']): BotContext => ({
      message,
      staff,
      log,
      db,
      clock,
      config: this.opts.config,
      wecom: this.opts.wecom,
      args: found.args ?? '',
      match: found.match ?? null,
      keyArg: found.keyArg ?? '',
      ...messaging(db),
      transaction: (fn, opts) => db.$transaction((tx) => fn({ db: tx, ...messaging(tx) }), opts?.timeoutMs ? { timeout: opts.timeoutMs, maxWait: 15_000 } : undefined),
    });
    let resolved: Candidate | null = null;
    let ctx = contextFor({});

    let result: 'done' | 'user_error' | 'retry' | 'failed' = 'done';
    let lastError: string | null = null;
    // A long handler (a model call, a media download) keeps its lease, so no replica takes over.
    let lease = row.lockedUntil;
    const heartbeat = setInterval(() => {
      const renewed = new Date(clock.now().getTime() + PROCESSING_LEASE_MS);
      db.inboundMessage
        .updateMany({ where: { id: row.id, status: 'processing', lockedUntil: lease }, data: { lockedUntil: renewed } })
        .then(({ count }) => {
          if (count === 1) lease = renewed;
        })
        .catch((err) => log.warn({ err }, 'could not renew the handler lease'));
    }, PROCESSING_LEASE_MS / 3);
    heartbeat.unref();
    try {
      if (row.attempts > MAX_ATTEMPTS) {
        // Every earlier attempt died with its process (no error was recorded): a poison message.
        throw new PoisonMessage(row.attempts - 1);
      }
      for (const candidate of this.opts.bot.matches(message)) {
        const candidateCtx = contextFor(candidate.found);
        if (candidate.route.when && !(await candidate.route.when(candidateCtx))) continue;
        [resolved, ctx] = [candidate, candidateCtx];
        break;
      }
      if (resolved) await resolved.route.handler(ctx);
      else log.info('no handler for this message; recorded only');
    } catch (err) {
      // The one error boundary: expected failures become a Chinese answer; anything else is a bug.
      if (err instanceof UserFacingError) {
        result = 'user_error';
        log.info({ code: err.code }, 'handler refused the message');
        await ctx.reply(err.staffMessage);
      } else {
        lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        result = row.attempts >= MAX_ATTEMPTS ? 'failed' : 'retry';
        log.error({ err, route: resolved?.route.name, attempt: row.attempts }, 'handler failed');
        if (result === 'failed') await ctx.reply(APOLOGY);
      }
    } finally {
      clearInterval(heartbeat);
    }
    const now = clock.now();
    const { count } = await db.inboundMessage.updateMany({
      where: { id: row.id, status: 'processing', lockedUntil: lease },
      data:
        result === 'retry'
          ? { status: 'received', lockedUntil: new Date(now.getTime() + 5_000 * row.attempts), lastError }
          : { status: result === 'failed' ? 'failed' : 'done', lockedUntil: null, processedAt: now, lastError },
    });
    if (count === 0) log.warn('handler lease lost before the outcome was recorded; another worker took the message over');
    metrics.processing.observe({ type, result }, Number(process.hrtime.bigint() - started) / 1e9);
    if (outboxSeq > 0) this.opts.onEnqueued();
    // Before the lookup: a message of this sender stored meanwhile is then queued by its own submit.
    settled();
    if (result !== 'retry') await this.submitNextFrom(message.fromUser);
  }
}
