import type { BotContext, Messaging } from '../../../bot/context';
import { UserFacingError } from '../../../bot/errors';
import type { DbTx } from '../../../db';
import { isManager, managesStore } from '../../../people';
import { loadCatalogue, requireSku } from '../catalogue';
import { format } from '../ledger';
import { matchSku } from '../parse';
import { actingStore } from '../stores';
import { assignUsageReason, USAGE_REASONS, usageReasonList, isUsageReason, type UsageReason } from './reasons';
import { latestUsageReport, signedQuantity, usageReportMessages, usageReportOf } from './report';
import { USAGE_ERRORS } from './keys';

/** The chat side of the usage report: after a count's approval, `用量`, `差异原因 牛奶 份量` and the reasons card. */

/**
 * Called by the count's approval, in its transaction: the manager who approved gets the report of
 * the periods the count has just closed (nothing for a store's first count, which only opens them).
 */
export async function reportClosedPeriods(tx: Messaging & { db: DbTx }, count: { id: bigint; storeCode: string; closedAt: Date | null }, timezone: string): Promise<void> {
  const report = await usageReportOf(tx.db, count);
  if (report.lines.length === 0) return;
  const store = await tx.db.store.findUniqueOrThrow({ where: { code: count.storeCode } });
  for (const message of usageReportMessages(report, store.name, timezone)) await tx.reply(message);
}

/** `用量` / `用量报告` (`用量 二店` for an area manager): the latest period's report. */
export async function showUsage(ctx: BotContext): Promise<void> {
  if (!isManager(ctx.staff)) throw new UserFacingError(USAGE_ERRORS.usageForManagers, `用量报告由店长（或区域经理）查看；差异原因大家都可以填，例如：差异原因 牛奶 份量（${usageReasonList()}）。`);
  const store = await actingStore(ctx, ctx.args.split(/\s+/).filter(Boolean), '用量 二店');
  const report = await latestUsageReport(ctx.db, store.code);
  if (!report) throw new UserFacingError(USAGE_ERRORS.noUsagePeriod, `${store.name}还没有用量报告：一个商品要在两次确认调整过的盘点里都盘过，才有一期。`);
  for (const message of usageReportMessages(report, store.name, ctx.config.timezone)) await ctx.reply(message);
}

/**
 * `差异原因 牛奶 份量` (also `差异原因 牛奶份量`; an area manager names the store first): the reason
 * of the SKU's latest period in the store. Anyone of the store may give it, as the card.
 */
export async function assignReasonByText(ctx: BotContext): Promise<void> {
  const words = ctx.args.split(/\s+/).filter(Boolean);
  const store = await actingStore(ctx, words, '差异原因 二店 牛奶 份量');
  const rest = words.join(' ');
  // The reason's words after the SKU, with or without a space (`牛奶份量`).
  const found = (Object.entries(USAGE_REASONS) as [UsageReason, string][]).find(([, text]) => rest.includes(text));
  const skuText = found ? rest.slice(0, rest.lastIndexOf(found[1])).trim() : '';
  if (!found || !skuText) throw new UserFacingError(USAGE_ERRORS.usageReasonMissing, `请写商品和原因，例如：差异原因 牛奶 份量。原因可以是：${usageReasonList()}。`);
  const sku = requireSku(matchSku(skuText, await loadCatalogue(ctx)));
  const count = await ctx.db.stockCount.findFirst({ where: { storeCode: store.code, status: 'approved', entries: { some: { skuCode: sku.code } } }, orderBy: { id: 'desc' } });
  const line = count ? (await usageReportOf(ctx.db, count)).lines.find((l) => l.skuCode === sku.code) : undefined;
  if (!count || !line) throw new UserFacingError(USAGE_ERRORS.noUsagePeriod, `${store.name}的${sku.name}还没有用量期：要在两次确认调整过的盘点里都盘过。`);
  const [reason, text] = found;
  await ctx.transaction(async (tx) => {
    const outcome = await assignUsageReason(tx.db, {
      countId: count.id,
      skuCode: sku.code,
      reason,
      by: ctx.message.fromUser,
      at: ctx.clock.now(),
      source: 'chat',
      externalId: `chat:${ctx.message.id}`,
    });
    const figures = `理论 ${format(line.theoretical)}${line.unit}，实际 ${format(line.actual)}${line.unit}，差 ${signedQuantity(line.variance)}${line.unit}`;
    await tx.reply(outcome === 'assigned' ? `已记差异原因：盘点 #${count.id} ${sku.name}「${text}」（${figures}）。` : `盘点 #${count.id} ${sku.name}的差异原因已经是「${text}」（${figures}）。`);
  });
}

/** 提交 on the report's card: each SKU's chosen reason. */
export async function assignReasonsFromCard(ctx: BotContext): Promise<void> {
  const id = /^\d{1,18}$/.test(ctx.keyArg) ? BigInt(ctx.keyArg) : 0n;
  const count = await ctx.db.stockCount.findUnique({ where: { id } });
  if (!count || count.status !== 'approved') throw new UserFacingError(USAGE_ERRORS.noUsagePeriod, '没有这期用量报告。');
  if (ctx.staff?.storeCode !== count.storeCode && !(await managesStore(ctx.db, ctx.staff, count.storeCode)))
    throw new UserFacingError(USAGE_ERRORS.usageForManagers, '只有这家店的同事和店长能填这期的差异原因。');
  const lines = new Map((await usageReportOf(ctx.db, count)).lines.map((l) => [l.skuCode, l]));
  const chosen = (ctx.message.card?.selections ?? []).flatMap((s) => {
    const reason = s.optionIds[0];
    const line = lines.get(s.questionKey);
    return line && reason && isUsageReason(reason) ? [{ line, reason }] : [];
  });
  if (chosen.length === 0) throw new UserFacingError(USAGE_ERRORS.usageReasonMissing, `没有选原因。也可以发：差异原因 ${[...lines.values()][0]?.name ?? '牛奶'} 份量。`);
  await ctx.transaction(async (tx) => {
    for (const { line, reason } of chosen) {
      await assignUsageReason(tx.db, {
        countId: count.id,
        skuCode: line.skuCode,
        reason,
        by: ctx.message.fromUser,
        at: ctx.clock.now(),
        source: 'card',
        externalId: `card:${ctx.message.id}:${line.skuCode}`,
      });
    }
    await tx.updateCard({ replaceName: '已提交' });
    await tx.reply(`已记盘点 #${count.id} 的差异原因：${chosen.map(({ line, reason }) => `${line.name}「${USAGE_REASONS[reason]}」`).join('，')}。`);
  });
}
