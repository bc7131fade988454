import type { BotContext } from '../../../bot/context';
import { UserFacingError } from '../../../bot/errors';
import type { StockOrder } from '../../../generated/prisma/client';
import { isManager, managesStore } from '../../../people';
import { templateCard } from '../../../platform/outbound';
import { chainTimeText } from '../../../timezone';
import { format } from '../ledger';
import { actingStore } from '../stores';
import { suggestOrders, type SuggestedLine } from './suggest';
import { ORDER_CARDS, ORDER_ERRORS } from './keys';

/** WeCom's button_interaction card shows at most six key–value lines; the text lists them all. */
const CARD_LINES = 6;

const packText = (l: SuggestedLine) => (l.packUnit === l.unit ? `${format(l.quantity)}${l.unit}` : `${l.packs}${l.packUnit}（${format(l.quantity)}${l.unit}）`);

/**
 * `建议订货` (an area manager names the store: `建议订货 二店`): the suggested order from each
 * supplier, kept as a suggestion, each with a card to confirm it. A retried message suggests the
 * same orders again (keyed by the message), never a second set.
 */
export async function suggestOrder(ctx: BotContext): Promise<void> {
  if (!isManager(ctx.staff)) throw new UserFacingError(ORDER_ERRORS.ordersForManagers, '建议订货由店长（或区域经理）查看和确认。');
  const store = await actingStore(ctx, ctx.args.split(/\s+/).filter(Boolean), '建议订货 二店');
  const now = ctx.clock.now();
  const suggested = await suggestOrders(ctx.db, store.code, now, ctx.config.timezone);
  if (suggested.size === 0) {
    await ctx.reply(`${store.name}现在不用订货：设了供应商和标准库存的商品，现有加在途都够到标准库存加到货前的预计用量。`);
    return;
  }
  await ctx.transaction(async (tx) => {
    const orders: StockOrder[] = [];
    for (const [supplier, lines] of suggested) {
      const externalId = `chat:${ctx.message.id}:${supplier}`;
      orders.push(
        (await tx.db.stockOrder.findUnique({ where: { externalId } })) ??
          (await tx.db.stockOrder.create({
            data: { storeCode: store.code, supplier, status: 'suggested', lines: lines as object[], suggestedBy: ctx.message.fromUser, suggestedAt: now, externalId },
          })),
      );
    }
    const lead = Math.max(1, ...[...suggested.values()].flat().map((l) => l.leadTimeDays));
    const recent = await tx.db.stockOrder.findMany({
      where: { storeCode: store.code, status: 'confirmed', confirmedAt: { gte: new Date(now.getTime() - lead * 86_400_000) } },
      orderBy: { id: 'asc' },
    });
    await tx.reply(
      [
        `${store.name} 建议订货（标准库存 + 到货前预计用量 − 现有 − 在途，按整包装取整）：`,
        ...[...suggested].flatMap(([supplier, lines]) => [
          `【${supplier}】`,
          ...lines.map(
            (l) =>
              `${l.name} ${packText(l)}：标准 ${format(l.par)} + ${l.leadTimeDays} 天用量 ${format(l.forecast)} − 现有 ${format(l.onHand)}${l.incoming ? ` − 在途 ${format(l.incoming)}` : ''}${l.unit}`,
          ),
        ]),
        ...(recent.length
          ? [`注意：到货期内已确认的订货单 ${recent.map((o) => `#${o.id}（${o.supplier}，${chainTimeText(o.confirmedAt!, ctx.config.timezone)}）`).join('、')}，若还没有到货单，上面没有算进在途。`]
          : []),
        '在卡片上点「确认订货」记下订货单。',
      ].join('\n'),
    );
    for (const order of orders) {
      const lines = order.lines as unknown as SuggestedLine[];
      await tx.reply(
        templateCard({
          card_type: 'button_interaction',
          main_title: { title: `向${order.supplier}订货：${lines.length} 项`, desc: store.name },
          horizontal_content_list: lines.slice(0, CARD_LINES).map((l) => ({ keyname: l.name, value: packText(l) })),
          sub_title_text: lines.length > CARD_LINES ? `另有 ${lines.length - CARD_LINES} 项见上面的消息。确认后记为订货单 #${order.id}。` : `确认后记为订货单 #${order.id}。`,
          button_list: [{ text: '确认订货', style: 1, key: `${ORDER_CARDS.confirmOrder}:${order.id}` }],
        }),
      );
    }
  });
}

/** 确认订货: the suggestion becomes the store's order, once, by a manager of the store. */
export async function confirmOrder(ctx: BotContext): Promise<void> {
  const id = /^\d{1,18}$/.test(ctx.keyArg) ? BigInt(ctx.keyArg) : 0n;
  await ctx.transaction(async (tx) => {
    const [locked] = await tx.db.$queryRaw<{ id: bigint }[]>`SELECT id FROM stock_order WHERE id = ${id} FOR UPDATE`;
    const order = locked ? await tx.db.stockOrder.findUniqueOrThrow({ where: { id } }) : null;
    if (!order) throw new UserFacingError(ORDER_ERRORS.unknownOrder, '没有这张订货单。');
    if (!(await managesStore(tx.db, ctx.staff, order.storeCode))) throw new UserFacingError(ORDER_ERRORS.ordersForManagers, '只有这家店的店长（或区域经理）能确认订货。');
    if (order.status === 'confirmed') {
      await tx.updateCard({ replaceName: '已确认' });
      throw new UserFacingError(ORDER_ERRORS.orderConfirmed, `订货单 #${order.id} 已经确认过了。`);
    }
    const now = ctx.clock.now();
    await tx.db.stockOrder.update({ where: { id: order.id }, data: { status: 'confirmed', confirmedBy: ctx.message.fromUser, confirmedAt: now } });
    await tx.updateCard({ replaceName: '已确认订货' });
    const lines = order.lines as unknown as SuggestedLine[];
    await tx.reply(`已记下订货单 #${order.id}：向${order.supplier}订 ${lines.map((l) => `${l.name} ${packText(l)}`).join('、')}。`);
  });
}
