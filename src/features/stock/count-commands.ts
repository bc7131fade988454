import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import { isManager } from '../../people';
import type { Db, DbTx } from '../../db';
import type { CountTolerance } from './settings';
import type { StockCount } from '../../generated/prisma/client';
import { templateCard } from '../../platform/outbound';
import type { EnteredQuantity } from './entered';
import { deliveriesArrivedUnbooked } from './deliveries';
import { countAccuracy, isWithinTolerance, toleranceText, uncountedWithStock, variance, varianceLines, type VarianceLine } from './counts';
import { bookMove } from './booking';
import { format } from './ledger';
import { actingStore } from './stores';
import { reportClosedPeriods } from './usage';
import { formatPercent } from '../../percent';
import { STOCK_CARDS, STOCK_ERRORS } from './keys';

/**
 * Counts (盘点): a manager opens one for a store (`开始盘点` or `开始盘点 乳品`); staff enter what
 * they count (`盘点 奶油 18盒`, 扫码盘点) in any order and over several sessions; each entry
 * remembers the book at that moment, so sales and receipts booked while counting do not show as
 * differences. `结束盘点` reports the variance and accuracy; the manager's approval books the
 * differences as count_adjustment moves.
 */

/** A transfer that left its store this long ago has arrived; until it is confirmed, a count there is off. */
export const TRANSFER_ARRIVAL_MS = 2 * 3_600_000;
/** Closing and approving a count of a few thousand SKUs reads or writes that many rows. */
const LARGE_TRANSACTION = { timeoutMs: 120_000 };
/** Lines of variance shown in chat; the rest are summed up. */
const REPORT_LINES = 30;

/**
 * What must be settled before a store can be counted, each answering the problems in Chinese
 * ([] when none). Deliveries announced by ERP/WMS that arrived but were not booked belong here
 * too: the advance-notice feature adds its check to this list.
 */
export type CountPrecondition = (db: Db, storeCode: string, now: Date) => Promise<string[]>;
export const COUNT_PRECONDITIONS: CountPrecondition[] = [transfersArrivedUnconfirmed, deliveriesArrivedUnbooked];

async function transfersArrivedUnconfirmed(db: Db, storeCode: string, now: Date): Promise<string[]> {
  const waiting = await db.stockTransfer.findMany({ where: { toStore: storeCode, status: 'in_transit', sentAt: { lte: new Date(now.getTime() - TRANSFER_ARRIVAL_MS) } }, orderBy: { id: 'asc' } });
  return waiting.map((t) => `调拨单 #${t.id} 已发出超过 2 小时还没确认收货（发「调拨收货」处理）`);
}

/** `开始盘点 [门店] [类别]`. */
export async function openCount(ctx: BotContext): Promise<void> {
  const words = ctx.args.split(/\s+/).filter(Boolean);
  const store = await managedStore(ctx, words, '开始盘点 二店 乳品');
  const category = words.join(' ') || null;
  if (category) {
    const categories = (await ctx.db.sku.findMany({ distinct: ['category'], select: { category: true } })).map((c) => c.category);
    if (!categories.includes(category)) throw new UserFacingError(STOCK_ERRORS.unknownCategory, `没有「${category}」这个类别。可以盘：${categories.join('、')}；不写类别就盘全部商品。`);
  }
  const now = ctx.clock.now();
  const problems = (await Promise.all(COUNT_PRECONDITIONS.map((check) => check(ctx.db, store.code, now)))).flat();
  if (problems.length > 0) throw new UserFacingError(STOCK_ERRORS.countBlocked, `${store.name}现在还不能开始盘点，先处理：\n${problems.map((p) => `· ${p}`).join('\n')}`);
  const staff = await ctx.db.staff.findMany({ where: { storeCode: store.code, active: true, userid: { not: ctx.message.fromUser } }, select: { userid: true } });
  const scope = category ? `「${category}」类商品` : '全部商品';
  await ctx.transaction(async (tx) => {
    // The store's row lock makes two managers opening a count at once open one.
    await tx.db.$queryRaw`SELECT code FROM store WHERE code = ${store.code} FOR UPDATE`;
    const open = await tx.db.stockCount.findFirst({ where: { storeCode: store.code, status: { in: ['open', 'closed'] } } });
    if (open && open.externalId === `chat:${ctx.message.id}`) return;
    if (open) throw new UserFacingError(STOCK_ERRORS.countAlreadyOpen, `${store.name}已有一次盘点（#${open.id}）${open.status === 'open' ? '在进行中' : '等待店长确认调整'}，先把它结束并确认。`);
    const count = await tx.db.stockCount.create({ data: { storeCode: store.code, category, status: 'open', openedBy: ctx.message.fromUser, openedAt: now, externalId: `chat:${ctx.message.id}` } });
    await tx.reply(`已开始盘点 #${count.id}：${store.name}，${scope}。大家可以分几次、按任意顺序录入：「盘点 奶油 18盒」或菜单「扫码盘点」；全部盘完后发「结束盘点」。`);
    if (staff.length > 0)
      await tx.send(
        staff.map((s) => s.userid),
        `${store.name}开始盘点 #${count.id}（${scope}）。请逐个录入实盘数量：「盘点 奶油 18盒」，或用菜单「扫码盘点」。`,
      );
  });
}

/** The store's open count, or a clear answer why there is none. */
export async function openCountOf(db: DbTx, store: { code: string; name: string }): Promise<StockCount> {
  const count = await db.stockCount.findFirst({ where: { storeCode: store.code, status: { in: ['open', 'closed'] } } });
  if (!count) throw new UserFacingError(STOCK_ERRORS.noOpenCount, `${store.name}现在没有进行中的盘点。请店长先发「开始盘点」（或「开始盘点 乳品」只盘一类）。`);
  if (count.status === 'closed') throw new UserFacingError(STOCK_ERRORS.countClosed, `盘点 #${count.id} 已结束，等店长确认调整；要补录请店长点「继续盘点」。`);
  return count;
}

/**
 * `盘点 奶油 18盒` (or a scan): one entry, with the book read under the balance's row lock —
 * a move booked at the same moment is either before the entry or after it, never half.
 */
export async function recordCountEntry(ctx: BotContext, entered: EnteredQuantity): Promise<string | null> {
  const { store, sku } = entered;
  const now = ctx.clock.now();
  return ctx.transaction(async (tx) => {
    const count = await openCountOf(tx.db, store);
    if (count.category && (await tx.db.sku.findUniqueOrThrow({ where: { code: sku.code } })).category !== count.category) {
      throw new UserFacingError(STOCK_ERRORS.notInCount, `这次盘点只盘「${count.category}」类，${sku.name}不在里面。`);
    }
    if (await tx.db.stockCountEntry.findUnique({ where: { externalId: entered.externalId } })) {
      await tx.reply('这一笔已经记过了。');
      return null;
    }
    await tx.db.$executeRaw`INSERT INTO stock_balance (store_code, sku_code, on_hand, updated_at) VALUES (${store.code}, ${sku.code}, 0, ${now}) ON CONFLICT DO NOTHING`;
    const [balance] = await tx.db.$queryRaw<{ on_hand: string }[]>`
      SELECT on_hand::text FROM stock_balance WHERE store_code = ${store.code} AND sku_code = ${sku.code} FOR UPDATE`;
    const earlier = await tx.db.stockCountEntry.findFirst({ where: { countId: count.id, skuCode: sku.code }, orderBy: { id: 'desc' } });
    await tx.db.stockCountEntry.create({
      data: {
        countId: count.id,
        skuCode: sku.code,
        counted: entered.baseQuantity,
        book: balance.on_hand,
        countedBy: ctx.message.fromUser,
        countedAt: now,
        source: entered.source,
        externalId: entered.externalId,
      },
    });
    const done = await tx.db.stockCountEntry.findMany({ where: { countId: count.id }, distinct: ['skuCode'], select: { skuCode: true } });
    const packed = entered.unit === sku.baseUnit ? '' : `（${format(entered.baseQuantity)}${sku.baseUnit}）`;
    const replaced = earlier ? `，改掉之前录的 ${format(earlier.counted)}${sku.baseUnit}` : '';
    // Counters are not shown the book: a blind count finds what is there, not what should be.
    await tx.reply(`已记盘点 #${count.id}：${sku.name} ${format(entered.amount)}${entered.unit}${packed}${replaced}。本次已盘 ${done.length} 个商品。`);
    return sku.name;
  });
}

/** `结束盘点`: the variance per SKU and the accuracy, and a card for the manager to approve. */
export async function closeCount(ctx: BotContext): Promise<void> {
  const store = await managedStore(ctx, ctx.args.split(/\s+/).filter(Boolean), '结束盘点 二店');
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    const count = await lockOpenCount(tx.db, store, ctx.message.fromUser);
    const lines = await varianceLines(tx.db, [count.id]);
    if (lines.length === 0) throw new UserFacingError(STOCK_ERRORS.countEmpty, `盘点 #${count.id} 还没有录入任何商品，不能结束。`);
    const tolerance = ctx.config.stockChecks.countTolerance;
    const accuracy = countAccuracy(lines, tolerance);
    const uncounted = await uncountedWithStock(tx.db, count);
    await tx.db.stockCount.update({
      where: { id: count.id },
      data: {
        status: 'closed',
        closedBy: ctx.message.fromUser,
        closedAt: now,
        skusCounted: accuracy.skus,
        withinTolerance: accuracy.withinTolerance,
        accuracyByQuantity: accuracy.byQuantity,
        accuracyByCost: accuracy.byCost,
      },
    });
    await tx.reply(varianceReport(store.name, count, lines, uncounted, tolerance));
    const changed = lines.filter((l) => variance(l) !== 0).length;
    await tx.reply(
      templateCard({
        card_type: 'button_interaction',
        main_title: { title: `盘点 #${count.id}：按实盘调整 ${changed} 个商品？`, desc: `数量准确率 ${formatPercent(accuracy.byQuantity)}，金额准确率 ${formatPercent(accuracy.byCost)}` },
        sub_title_text: '确认后差异记为盘点调整；要补录就点「继续盘点」。',
        button_list: [
          { text: '确认调整', style: 1, key: `${STOCK_CARDS.approveCount}:${count.id}` },
          { text: '继续盘点', style: 2, key: `${STOCK_CARDS.reopenCount}:${count.id}` },
        ],
      }),
    );
  }, LARGE_TRANSACTION);
}

/** 确认调整: books counted − book of each SKU as a count_adjustment, once. */
export async function approveCount(ctx: BotContext): Promise<void> {
  requireManager(ctx);
  const count = await ctx.transaction(async (tx) => {
    const count = await lockCount(tx.db, ctx);
    if (count.status === 'approved') {
      await tx.updateCard({ replaceName: '已调整' });
      throw new UserFacingError(STOCK_ERRORS.countApproved, `盘点 #${count.id} 已经确认调整过了。`);
    }
    if (count.status !== 'closed') throw new UserFacingError(STOCK_ERRORS.countNotClosed, `盘点 #${count.id} 还在进行中，先发「结束盘点」。`);
    const now = ctx.clock.now();
    const lines = (await varianceLines(tx.db, [count.id])).filter((l) => variance(l) !== 0);
    let gain = 0;
    let loss = 0;
    for (const line of lines) {
      const difference = variance(line);
      // The count is the truth: an adjustment may not be refused for going below zero.
      await bookMove(
        tx.db,
        ctx.config,
        {
          storeCode: count.storeCode,
          skuCode: line.skuCode,
          kind: 'count_adjustment',
          quantity: difference,
          reason: `盘点 #${count.id}：实盘 ${format(line.counted)}，账面 ${format(line.book)}`,
          staffUserid: ctx.message.fromUser,
          occurredAt: now,
          recordedAt: now,
          source: 'count',
          externalId: `count:${count.id}:${line.skuCode}`,
        },
        { baseUnit: line.unit, allowNegative: true },
      );
      if (difference > 0) gain += difference * line.costPrice;
      else loss -= difference * line.costPrice;
    }
    await tx.db.stockCount.update({ where: { id: count.id }, data: { status: 'approved', approvedBy: ctx.message.fromUser, approvedAt: now } });
    await tx.updateCard({ replaceName: '已确认调整' });
    await tx.reply(`盘点 #${count.id} 已确认：调整 ${lines.length} 个商品，盘盈 ¥${gain.toFixed(2)}，盘亏 ¥${loss.toFixed(2)}。库存已按实盘更新。`);
    // The count closes a usage period of each SKU an earlier approved count counted too: its report, with the approval.
    await reportClosedPeriods(tx, count, ctx.config.timezone);
    return count;
  }, LARGE_TRANSACTION);
  ctx.log.info({ countId: String(count.id) }, 'count approved');
}

/** 继续盘点: the count takes entries again; the figures are worked out anew when it is closed. */
export async function reopenCount(ctx: BotContext): Promise<void> {
  requireManager(ctx);
  await ctx.transaction(async (tx) => {
    const count = await lockCount(tx.db, ctx);
    if (count.status !== 'closed')
      throw new UserFacingError(STOCK_ERRORS.countNotClosed, count.status === 'approved' ? `盘点 #${count.id} 已确认调整，不能再补录；请开一次新的盘点。` : `盘点 #${count.id} 还在进行中。`);
    await tx.db.stockCount.update({
      where: { id: count.id },
      data: { status: 'open', closedBy: null, closedAt: null, skusCounted: null, withinTolerance: null, accuracyByQuantity: null, accuracyByCost: null },
    });
    await tx.updateCard({ replaceName: '已继续盘点' });
    await tx.reply(`盘点 #${count.id} 继续进行，可以补录；盘完再发「结束盘点」。`);
  });
}

function varianceReport(storeName: string, count: StockCount, lines: VarianceLine[], uncounted: { name: string; unit: string; onHand: number }[], tolerance: CountTolerance): string {
  const accuracy = countAccuracy(lines, tolerance);
  const within = lines.filter((l) => isWithinTolerance(l, tolerance)).length;
  const differing = lines.filter((l) => variance(l) !== 0).sort((a, b) => Math.abs(variance(b)) * b.costPrice - Math.abs(variance(a)) * a.costPrice);
  const sign = (n: number) => (n > 0 ? `+${format(n)}` : format(n));
  const rows = differing
    .slice(0, REPORT_LINES)
    .map((l) => `${l.name} 账面 ${format(l.book)} 实盘 ${format(l.counted)} 差 ${sign(variance(l))}${l.unit}（${variance(l) > 0 ? '+' : '−'}¥${Math.abs(variance(l) * l.costPrice).toFixed(2)}）`);
  return [
    `${storeName} 盘点 #${count.id}${count.category ? `（${count.category}）` : ''}已结束：盘了 ${accuracy.skus} 个商品。`,
    `准确率：按数量 ${formatPercent(accuracy.byQuantity)}，按金额 ${formatPercent(accuracy.byCost)}；差异在 ${toleranceText(lines, tolerance)} 内的商品 ${within}/${accuracy.skus}（${formatPercent(accuracy.withinTolerance)}）。`,
    differing.length ? `有差异的 ${differing.length} 个（按金额排）：` : '所有商品实盘与账面一致。',
    ...rows,
    ...(differing.length > REPORT_LINES ? [`……另有 ${differing.length - REPORT_LINES} 个有差异的商品`] : []),
    ...(uncounted.length
      ? [
          `未盘（账面有货，不调整、不计入准确率）${uncounted.length} 个：${uncounted
            .slice(0, 10)
            .map((u) => `${u.name} ${format(u.onHand)}${u.unit}`)
            .join('、')}${uncounted.length > 10 ? '……' : ''}`,
        ]
      : []),
  ].join('\n');
}

function requireManager(ctx: BotContext) {
  if (!isManager(ctx.staff)) throw new UserFacingError(STOCK_ERRORS.managersOnly, '盘点要由店长（或区域经理）开始、结束和确认。');
  return ctx.staff;
}

/** The store a manager acts on (`开始盘点 二店 乳品`: an area manager or admin names it first, as `example` shows). */
async function managedStore(ctx: BotContext, words: string[], example: string): Promise<{ code: string; name: string }> {
  requireManager(ctx);
  return actingStore(ctx, words, example);
}

/** The store's open count under its row lock. */
async function lockOpenCount(db: DbTx, store: { code: string; name: string }, userid: string): Promise<StockCount> {
  const rows = await db.$queryRaw<{ id: bigint }[]>`SELECT id FROM stock_count WHERE store_code = ${store.code} AND status IN ('open', 'closed') FOR UPDATE`;
  const count = rows.length ? await db.stockCount.findUniqueOrThrow({ where: { id: rows[0].id } }) : null;
  if (!count) throw new UserFacingError(STOCK_ERRORS.noOpenCount, `${store.name}现在没有进行中的盘点。`);
  if (count.status === 'closed') throw new UserFacingError(STOCK_ERRORS.countClosed, `盘点 #${count.id} 已结束，等${count.closedBy === userid ? '你' : '店长'}确认调整（或点「继续盘点」补录）。`);
  return count;
}

/** The count a card tap is about, under its row lock; only the managers of its store may act on it. */
async function lockCount(db: DbTx, ctx: BotContext): Promise<StockCount> {
  const id = /^\d{1,18}$/.test(ctx.keyArg) ? BigInt(ctx.keyArg) : 0n;
  const rows = await db.$queryRaw<{ id: bigint }[]>`SELECT id FROM stock_count WHERE id = ${id} FOR UPDATE`;
  if (rows.length === 0) throw new UserFacingError(STOCK_ERRORS.noOpenCount, '没有这次盘点。');
  const count = await db.stockCount.findUniqueOrThrow({ where: { id } });
  if (ctx.staff!.role === 'store_manager' && ctx.staff!.storeCode !== count.storeCode) throw new UserFacingError(STOCK_ERRORS.managersOnly, '只有这家店的店长能确认这次盘点。');
  return count;
}
