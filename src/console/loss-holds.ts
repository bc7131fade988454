import { z } from 'zod';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Staff } from '../generated/prisma/client';
import { decideHold, type HoldDecision, type HoldDecisionResult } from '../features/stock/loss-decision';
import { keyedSend } from '../platform/outbox';

/**
 * 批准 / 驳回 of waste held over the day's limit, from the console's 待审与超时 table: the stock
 * feature's decideHold, the same as the manager's card in chat (who may decide, the booking, the
 * task, the staff member told, the review cards rewritten).
 */
export const HoldDecisionForm = z.object({
  /** Made by the page once per button it shows: a double tap or a retry gets the first answer again. */
  requestId: z.string({ error: '缺少请求编号，请刷新页面。' }).regex(/^[A-Za-z0-9_-]{8,64}$/, { error: '请求编号不对，请刷新页面。' }),
});

export const HOLD_DECISIONS: Record<string, HoldDecision> = { approve: 'approve', reject: 'reject' };

/**
 * Decides hold `holdId` of `storeCode` in one transaction. Messages to the staff member go through
 * the outbox keyed by the hold, so they are enqueued once. `repeated`: this request id had decided
 * it already, and this is that answer again.
 */
export async function decideHoldFromConsole(
  db: Db,
  env: { clock: Clock; config: Config },
  input: { storeCode: string; holdId: string; decision: HoldDecision; by: Staff; requestId: string },
): Promise<HoldDecisionResult> {
  return db.$transaction(async (tx) => {
    let seq = 0;
    const now = env.clock.now();
    return decideHold(
      {
        db: tx,
        clock: env.clock,
        config: env.config,
        messaging: {
          send: keyedSend(
            tx,
            () => `console:loss-hold:${input.holdId}:${input.decision}:${seq++}`,
            () => now,
          ),
          updateCard: () => Promise.reject(new Error('the console taps no card')),
        },
      },
      { holdId: input.holdId, decision: input.decision, by: input.by.userid, ref: `console:${input.by.userid}:${input.requestId}`, storeCode: input.storeCode, note: '管理台' },
    );
  });
}
