import type { BotContext } from '../../bot/context';
import type { LargeMoveSettings } from './settings';
import { templateCard } from '../../platform/outbound';
import type { EnteredQuantity } from './entered';
import { format } from './ledger';
import { STOCK_KINDS, type LedgerKind, type QuantityVerb } from './move-kinds';
import type { CatalogueSku } from './parse';
import { STOCK_CARDS } from './keys';

/**
 * A quantity far above what a SKU usually moves (`入库 奶油 99999999箱`: a finger on the 9) is
 * asked back on a card before anything is booked; 确认记账 books the message as it was typed,
 * 不记 books nothing. A SKU's limit is STOCK_LARGE_MOVE_BY_SKU for its code, else
 * STOCK_LARGE_MOVE_BY_CATEGORY for its category, else the larger of STOCK_LARGE_MOVE_MULTIPLE ×
 * its largest move in the store over the last 90 days and STOCK_LARGE_MOVE_PACKS of its largest
 * unit. A count may also reach twice the book. Beyond MAX_ENTRY_BASE_UNITS nothing is offered:
 * no store takes in a hundred thousand of anything from one chat message.
 */
export const MAX_ENTRY_BASE_UNITS = 100_000;
const HISTORY_DAYS = 90;

export function largeMoveLimit(sku: Pick<CatalogueSku, 'code' | 'packUnits'> & { category: string }, largestRecentMove: number, settings: LargeMoveSettings): number {
  const fixed = settings.bySku[sku.code] ?? settings.byCategory[sku.category];
  if (fixed !== undefined) return fixed;
  const largestUnit = Math.max(1, ...sku.packUnits.map((p) => p.factor));
  return Math.max(settings.packs * largestUnit, settings.multiple * largestRecentMove);
}

/** The entries over their SKU's limit, each with the limit. */
export async function largeEntries(ctx: BotContext, kind: QuantityVerb, entries: (EnteredQuantity & { sku: { category: string } })[]): Promise<{ entry: EnteredQuantity; limit: number }[]> {
  const since = new Date(ctx.clock.now().getTime() - HISTORY_DAYS * 86_400_000);
  const over: { entry: EnteredQuantity; limit: number }[] = [];
  for (const entry of entries) {
    const recent = await ctx.db.stockMove.aggregate({
      where: {
        storeCode: entry.store.code,
        skuCode: entry.sku.code,
        kind: { in: ['receipt', 'waste', 'return', 'transfer_out', 'transfer_in'] satisfies LedgerKind[] },
        occurredAt: { gte: since },
        reversedBy: { is: null },
      },
      _max: { quantity: true },
      _min: { quantity: true },
    });
    const largest = Math.max(0, recent._max.quantity?.toNumber() ?? 0, -(recent._min.quantity?.toNumber() ?? 0));
    let limit = largeMoveLimit(entry.sku, largest, ctx.config.stockChecks.largeMove);
    if (kind === 'count') {
      const book = (await ctx.db.stockBalance.findUnique({ where: { storeCode_skuCode: { storeCode: entry.store.code, skuCode: entry.sku.code } } }))?.onHand.toNumber() ?? 0;
      limit = Math.max(limit, 2 * book);
    }
    if (entry.baseQuantity > limit) over.push({ entry, limit });
  }
  return over;
}

/** The card that asks back; its buttons carry the message (and the SKU picked for it, if any). */
export async function askLargeMove(ctx: BotContext, source: { inboundId: string; chosenSku?: string }, kind: QuantityVerb, over: { entry: EnteredQuantity; limit: number }[]): Promise<void> {
  const key = `${source.inboundId}${source.chosenSku ? `:${source.chosenSku}` : ''}`;
  const lines = over.map(({ entry, limit }) => {
    const base = entry.unit === entry.sku.baseUnit ? '' : `（${format(entry.baseQuantity)}${entry.sku.baseUnit}）`;
    return `${entry.sku.name} ${format(entry.amount)}${entry.unit}${base}，平时一笔最多约 ${format(limit)}${entry.sku.baseUnit}`;
  });
  await ctx.reply(
    templateCard({
      card_type: 'button_interaction',
      main_title: { title: `数量比平时大很多，确认要${STOCK_KINDS[kind].name}吗？`, desc: lines.join('；').slice(0, 120) },
      sub_title_text: '还没有记账。数量没错就点「确认记账」；打错了就点「不记」，改好再发一次。',
      button_list: [
        { text: '确认记账', style: 1, key: `${STOCK_CARDS.confirmLarge}:${key}` },
        { text: '不记', style: 2, key: `${STOCK_CARDS.dropLarge}:${key}` },
      ],
    }),
  );
}
