import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import { bookScannedQuantity } from './scan';
import { receiveWithDifference } from './transfer-commands';

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

/** A bare quantity: completes what this person scanned or is receiving. */
export async function completePendingInput(ctx: BotContext): Promise<void> {
  const pending = await ctx.db.stockPendingInput.findUnique({ where: { userid: ctx.message.fromUser } });
  if (!pending || pending.expiresAt < ctx.clock.now()) {
    throw new UserFacingError('stock.nothingPending', '这个数量记到哪儿？先用菜单「扫码入库 / 扫码报损 / 扫码盘点」扫商品条码，或写全，例如：入库 牛奶 2箱');
  }
  const payload = pending.payload as Record<string, string>;
  const text = ctx.message.content ?? '';
  if (pending.kind === 'transferReceive') return receiveWithDifference(ctx, BigInt(payload.transferId), text);
  await bookScannedQuantity(ctx, payload.scanId, { text });
}
