import type { Db } from '../db';
import type { Clock } from '../clock';
import type { InboundFields } from '../bot/message';

export interface IntakeResult {
  /** false when WeCom already delivered this message (a retry): ack it, do nothing else. */
  inserted: boolean;
  id: string | null;
}

interface Pending {
  message: InboundFields;
  resolve: (r: IntakeResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Stores callbacks before they are acknowledged, deduplicated by a unique index so WeCom's
 * retries (on any replica, after any restart) collapse into one row.
 *
 * Messages that arrive together are written with one INSERT … ON CONFLICT DO NOTHING: one
 * commit per message caps throughput at the database's commit rate, while a grouped insert
 * still acknowledges each message only after its own row is committed.
 */
export class InboundIntake {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly opts: { maxBatch: number; maxConcurrentBatches: number } = { maxBatch: 500, maxConcurrentBatches: 4 },
  ) {}

  /** Whether callbacks are waiting for, or in, a write: a burst is being acknowledged. */
  get busy(): boolean {
    return this.queue.length > 0 || this.inFlight > 0;
  }

  accept(message: InboundFields): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      this.pump();
    });
  }

  /** Resolves once every accepted message is written (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private pump(): void {
    // Wait one turn of the event loop before writing, so the callbacks that arrived together
    // (already read off their sockets) share one INSERT and one commit.
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.opts.maxConcurrentBatches) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.queue.length === 0) return;
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.inFlight++;
      this.write(batch)
        .catch((err) => batch.forEach((p) => p.reject(err)))
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
      this.pump();
    });
  }

  private async write(batch: Pending[]): Promise<void> {
    // One JSON parameter for the whole batch: Prisma's cost grows with the number of parameters.
    const rows = batch.map(({ message }) => ({
      dedupe_key: message.dedupeKey,
      msg_type: message.msgType,
      event: message.event ?? null,
      from_user: message.fromUser,
      agent_id: message.agentId ?? null,
      create_time: message.createTime,
      payload: message,
    }));
    const inserted = await this.db.$queryRaw<{ id: bigint; dedupe_key: string }[]>`
      INSERT INTO inbound_message (dedupe_key, msg_type, event, from_user, agent_id, create_time, payload, received_at)
      SELECT r.dedupe_key, r.msg_type, r.event, r.from_user, r.agent_id, r.create_time, r.payload, ${this.clock.now()}
      FROM ROWS FROM (jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS (dedupe_key text, msg_type text, event text, from_user text, agent_id text, create_time int, payload jsonb)) WITH ORDINALITY
        AS r(dedupe_key, msg_type, event, from_user, agent_id, create_time, payload, n)
      -- ids in arrival order: one sender's messages are handled in id order.
      ORDER BY r.n
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id, dedupe_key`;
    const ids = new Map(inserted.map((r) => [r.dedupe_key, String(r.id)]));
    for (const p of batch) {
      const id = ids.get(p.message.dedupeKey);
      // Two copies of one message in the same batch: the first gets the row, the rest are retries.
      if (id !== undefined) ids.delete(p.message.dedupeKey);
      p.resolve({ inserted: id !== undefined, id: id ?? null });
    }
  }
}
