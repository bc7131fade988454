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

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly opts: { maxBatch: number; maxConcurrentBatches: number } = { maxBatch: 500, maxConcurrentBatches: 4 },
  ) {}

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
    while (this.queue.length > 0 && this.inFlight < this.opts.maxConcurrentBatches) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.inFlight++;
      this.write(batch)
        .catch((err) => batch.forEach((p) => p.reject(err)))
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    const values: string[] = [];
    const params: unknown[] = [this.clock.now()];
    for (const { message } of batch) {
      const base = params.length;
      values.push(`($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7}::jsonb, $1)`);
      params.push(
        message.dedupeKey,
        message.msgType,
        message.event ?? null,
        message.fromUser,
        message.agentId ?? null,
        message.createTime,
        JSON.stringify(message),
      );
    }
    const rows = await this.db.$queryRawUnsafe<{ id: bigint; dedupe_key: string }[]>(
      `INSERT INTO inbound_message (dedupe_key, msg_type, event, from_user, agent_id, create_time, payload, received_at)
       VALUES ${values.join(', ')}
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id, dedupe_key`,
      ...params,
    );
    const inserted = new Map(rows.map((r) => [r.dedupe_key, String(r.id)]));
    for (const p of batch) {
      const id = inserted.get(p.message.dedupeKey);
      // Two copies of one message in the same batch: the first gets the row, the rest are retries.
      if (id !== undefined) inserted.delete(p.message.dedupeKey);
      p.resolve({ inserted: id !== undefined, id: id ?? null });
    }
  }
}
