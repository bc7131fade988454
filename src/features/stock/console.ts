import { z } from 'zod';
import type { BotRegistry } from '../../bot/registry';
import { ActionRefused } from '../../console/types';
import type { Clock } from '../../clock';
import type { Config } from '../../config';
import type { Db } from '../../db';
import type { Staff } from '../../generated/prisma/client';
import { keyedSend } from '../../platform/outbox';
import { lowStockSection, stockoutSection } from './console-alerts';
import { countsSection } from './console-counts';
import { stockBalanceSection, stockMovesSection } from './console-ledger';
import { pendingSection } from './console-pending';
import { decideHold, type HoldDecision, type HoldDecisionResult } from './loss-decision';

/**
 * 批准 / 驳回 of waste held over the day's limit, from the console's 待审与超时 table: decideHold,
 * the same as the manager's card in chat (who may decide, the booking, the task, the staff member
 * told, the review cards rewritten).
 */
const HoldDecisionForm = z.object({
  /** Made by the page once per button it shows: a double tap or a retry gets the first answer again. */
  requestId: z.string({ error: '缺少请求编号，请刷新页面。' }).regex(/^[A-Za-z0-9_-]{8,64}$/, { error: '请求编号不对，请刷新页面。' }),
});

const HOLD_DECISIONS: HoldDecision[] = ['approve', 'reject'];

/**
 * Decides hold `holdId` of `storeCode` in one transaction. Messages to the staff member go through
 * the outbox keyed by the hold, so they are enqueued once. `repeated`: this request id had decided
 * it already, and this is that answer again.
 */
async function decideHoldFromConsole(
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

/** The stock tables of a store's console page, in page order, and the decision on a held waste entry. */
export function registerStockConsole(bot: BotRegistry): void {
  for (const section of [pendingSection, lowStockSection, stockoutSection, countsSection, stockBalanceSection, stockMovesSection]) bot.consoleSection(section);
  for (const decision of HOLD_DECISIONS) {
    bot.consoleApi({
      method: 'POST',
      scope: 'store',
      path: `/loss-holds/:id/${decision}`,
      async handler({ db, clock, config, staff, store, params, body }) {
        const form = HoldDecisionForm.safeParse(body);
        if (!form.success) throw new ActionRefused('bad_request_id', form.error.issues[0]?.message ?? '请求内容不对。', 400);
        const result = await decideHoldFromConsole(db, { clock, config }, { storeCode: store.code, holdId: params.id, decision, by: staff, requestId: form.data.requestId });
        if (!result.ok) throw new ActionRefused(result.code, result.message, result.status);
        return { body: { id: String(result.hold.id), state: result.state, status: result.hold.status, message: result.message, repeated: result.repeated } };
      },
    });
  }
}
