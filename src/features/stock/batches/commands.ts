import type { BotContext } from '../../../bot/context';
import { chainDate } from '../../../timezone';
import { actingStore } from '../stores';
import { batchLine, expiringOf } from './expiring';

/** `临期`, `效期`: the sender's store's batches that expire within STOCK_EXPIRY_WARN_DAYS or have expired; an area manager or admin names the store (`临期 二店`). */
export async function showExpiringBatches(ctx: BotContext): Promise<void> {
  const store = await actingStore(ctx, ctx.args.split(/\s+/).filter(Boolean), '临期 二店');
  const today = chainDate(ctx.clock.now(), ctx.config.timezone);
  const days = ctx.config.stockChecks.expiryWarnDays;
  const batches = await expiringOf(ctx.db, store.code, today, days);
  if (batches.length === 0) {
    await ctx.reply(`${store.name} ${days} 天内没有到期的批次。`);
    return;
  }
  await ctx.reply([`${store.name} 临期批次（${days} 天内到期，先到期的先用）：`, ...batches.map((b) => batchLine(b, today))].join('\n'));
}
