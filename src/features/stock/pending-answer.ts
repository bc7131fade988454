import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import { bookScannedQuantity } from './scan';
import { receiveWithDifference } from './transfer-commands';
import { STOCK_ERRORS } from './keys';

/** A bare quantity: completes what this person scanned or is receiving. */
export async function completePendingInput(ctx: BotContext): Promise<void> {
  const pending = await ctx.db.stockPendingInput.findUnique({ where: { userid: ctx.message.fromUser } });
  if (!pending || pending.expiresAt < ctx.clock.now()) {
    throw new UserFacingError(STOCK_ERRORS.nothingPending, '这个数量记到哪儿？先用菜单「扫码入库 / 扫码报损 / 扫码盘点」扫商品条码，或写全，例如：入库 牛奶 2箱');
  }
  const payload = pending.payload as Record<string, string>;
  const text = ctx.message.content ?? '';
  if (pending.kind === 'transferReceive') return receiveWithDifference(ctx, BigInt(payload.transferId), text);
  await bookScannedQuantity(ctx, payload.scanId, { text });
}
