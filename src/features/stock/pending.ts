import type { BotContext } from '../../bot/context';

/**
 * After a scan (or 数量不对 on a transfer card) the bot waits for a quantity: the next bare
 * quantity the person sends (`3`, `两箱`, `4箱 压坏1箱`) completes it. One pending input per
 * person, for a few minutes; a new scan replaces it.
 */
export const PENDING_INPUT_MS = 10 * 60_000;

export type PendingKind = 'scan' | 'transferReceive';

export async function rememberPendingInput(ctx: BotContext, kind: PendingKind, payload: Record<string, string>): Promise<void> {
  const expiresAt = new Date(ctx.clock.now().getTime() + PENDING_INPUT_MS);
  await ctx.db.stockPendingInput.upsert({
    where: { userid: ctx.message.fromUser },
    create: { userid: ctx.message.fromUser, kind, payload, expiresAt },
    update: { kind, payload, expiresAt },
  });
}

/** Whether this person scanned something or is receiving a transfer and owes the quantity. */
export async function hasPendingInput(ctx: BotContext): Promise<boolean> {
  const pending = await ctx.db.stockPendingInput.findUnique({ where: { userid: ctx.message.fromUser } });
  return pending !== null && pending.expiresAt >= ctx.clock.now();
}
