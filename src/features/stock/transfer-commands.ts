import type { BotContext, Messaging } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { DbTx } from '../../db';
import type { StockTransfer } from '../../generated/prisma/client';
import { templateCard } from '../../platform/outbound';
import { loadCatalogue } from './catalogue';
import type { EnteredQuantity } from './entered';
import { matchStore, requireStore, type StoreRef } from './stores';
import { bookMove } from './booking';
import { format } from './ledger';
import { lockTransfer, receiveTransferLeg, sendTransferLeg } from './transfers';
import { readQuantity } from './parse';
import { rememberPendingInput } from './pending';
import { STOCK_CARDS, STOCK_ERRORS } from './keys';

/**
 * Transfers between stores (`调拨 奶油 5箱 到 二店`): one document with two legs. The sending
 * store's stock goes down at once (transfer_out); the goods are in transit until someone of the
 * receiving store confirms on the card what arrived (transfer_in) — all of it, or less with a
 * note. A transfer that was never sent cannot be received, and one received cannot be undone by
 * the sender; while it is in transit, the sender's 撤销 cancels it.
 */

/**
 * `到二店 他们断货了`: the store, and what follows it as the transfer's note. The whole text is
 * tried first (a store name may hold a space); then its first word, the rest a note if it holds
 * no number (a number there is a quantity that was not read, asked about rather than dropped).
 */
function matchDestination(text: string, stores: StoreRef[]): { match: ReturnType<typeof matchStore>; note: string } {
  const whole = matchStore(text, stores);
  const split = /^(\S+?)[\s,，、;；]+(\S.*)$/u.exec(text.trim());
  if (whole.kind !== 'unknown' || !split || /[\d零〇一二两三四五六七八九十百千万]/u.test(split[2])) return { match: whole, note: '' };
  const first = matchStore(split[1], stores);
  return first.kind === 'found' ? { match: first, note: split[2].trim() } : { match: whole, note: '' };
}

/** Books the out-leg, opens the transfer and asks the receiving store to confirm. */
export async function sendTransfer(ctx: BotContext, entered: EnteredQuantity): Promise<string | null> {
  const { store, sku } = entered;
  const stores = await ctx.db.store.findMany({ select: { code: true, name: true, aliases: true } });
  const { match, note: destinationNote } = matchDestination(entered.toStoreText ?? '', stores);
  if (match.kind === 'ambiguous') throw new UserFacingError(STOCK_ERRORS.ambiguousStore, `调到哪家：${match.candidates.map((c) => c.name).join('、')}？请写全门店名称或编码。`);
  if (match.kind === 'unknown') throw new UserFacingError(STOCK_ERRORS.unknownStore, `没找到门店「${entered.toStoreText}」。请写门店名称或编码，例如：调拨 ${sku.name} 5箱 到 二店`);
  const to = match.store;
  if (to.code === store.code) throw new UserFacingError(STOCK_ERRORS.transferToSelf, '不能调拨给自己的门店。');
  const receivers = await ctx.db.staff.findMany({ where: { storeCode: to.code, active: true, role: { in: ['staff', 'store_manager'] } }, select: { userid: true } });
  const now = ctx.clock.now();
  const quantityText = `${format(entered.amount)}${entered.unit}${entered.unit === sku.baseUnit ? '' : `（${format(entered.baseQuantity)}${sku.baseUnit}）`}`;

  return ctx.transaction(async (tx) => {
    const sent = await sendTransferLeg(tx.db, ctx.config, {
      fromStore: store.code,
      toStore: to.code,
      sku,
      baseQuantity: entered.baseQuantity,
      userid: ctx.message.fromUser,
      occurredAt: entered.occurredAt,
      now,
      source: entered.source,
      externalId: entered.externalId,
      reason: `调拨到 ${to.name}${destinationNote ? `（${destinationNote}）` : ''}`,
    });
    if (!sent) {
      await tx.reply('这一笔已经记过了。');
      return null;
    }
    const { transfer, out } = sent;
    if (receivers.length > 0) {
      await tx.send(
        receivers.map((r) => r.userid),
        templateCard({
          card_type: 'button_interaction',
          main_title: { title: `调拨到货请确认：${sku.name} ${quantityText}`, desc: `${store.name} → ${to.name}` },
          sub_title_text: `调拨单 #${transfer.id}，${ctx.staff?.name ?? ctx.message.fromUser} 发出。货到后点「全部收到」；少了或坏了点「数量不对」。`,
          button_list: [
            { text: '全部收到', style: 1, key: `${STOCK_CARDS.receiveTransfer}:${transfer.id}` },
            { text: '数量不对', style: 2, key: `${STOCK_CARDS.transferDifference}:${transfer.id}` },
          ],
        }),
      );
    }
    await tx.reply(
      templateCard({
        card_type: 'button_interaction',
        main_title: { title: `已调出 ${sku.name} ${quantityText}`, desc: `到 ${to.name}，在途，等对方确认收货` },
        sub_title_text: `${store.name} 现有 ${format(out.onHand)}${sku.baseUnit}。调拨单 #${transfer.id}${receivers.length === 0 ? `；${to.name} 还没有登记员工，请电话通知对方` : ''}`,
        button_list: [{ text: '撤销这笔调拨', style: 2, key: `${STOCK_CARDS.undo}:${out.id}` }],
      }),
    );
    return sku.name;
  });
}

/** The sender's 撤销 of a transfer: possible only while in transit; the out-leg is reversed. */
export async function cancelTransfer(tx: Messaging & { db: DbTx }, ctx: BotContext, outMoveId: bigint): Promise<string> {
  const transfer = await lockTransfer(tx.db, { outMoveId });
  if (!transfer) throw new UserFacingError(STOCK_ERRORS.unknownTransfer, '没找到这笔调拨。');
  if (transfer.status === 'received') {
    throw new UserFacingError(STOCK_ERRORS.transferAlreadyReceived, `这笔调拨（#${transfer.id}）对方已确认收货，不能撤销；请对方再调拨回来。`);
  }
  const sku = await tx.db.sku.findUniqueOrThrow({ where: { code: transfer.skuCode } });
  const now = ctx.clock.now();
  const back = await bookMove(
    tx.db,
    ctx.config,
    {
      storeCode: transfer.fromStore,
      skuCode: transfer.skuCode,
      kind: 'reversal',
      quantity: transfer.quantity.toNumber(),
      reason: `撤销调拨 #${transfer.id}`,
      staffUserid: ctx.message.fromUser,
      occurredAt: now,
      recordedAt: now,
      source: 'chat',
      externalId: `undo:${outMoveId}`,
      reversesId: outMoveId,
    },
    { baseUnit: sku.baseUnit, allowNegative: true },
  );
  await tx.db.stockTransfer.update({ where: { id: transfer.id }, data: { status: 'cancelled', cancelledAt: now } });
  const [from, receivers] = await Promise.all([
    tx.db.store.findUniqueOrThrow({ where: { code: transfer.fromStore } }),
    tx.db.staff.findMany({ where: { storeCode: transfer.toStore, active: true, role: { in: ['staff', 'store_manager'] } }, select: { userid: true } }),
  ]);
  if (receivers.length > 0)
    await tx.send(
      receivers.map((r) => r.userid),
      `${from.name} 撤销了调拨单 #${transfer.id}（${sku.name} ${format(transfer.quantity)}${sku.baseUnit}），这批货不会发出，不用收货。`,
    );
  return `已撤销调拨单 #${transfer.id}：${sku.name} ${format(transfer.quantity)}${sku.baseUnit} 回到 ${from.name}，现有 ${format(back.onHand)}${sku.baseUnit}`;
}

/** 全部收到 on the card. */
export async function receiveTransferInFull(ctx: BotContext): Promise<void> {
  const transfer = await findTransfer(ctx, ctx.keyArg);
  await confirmTransfer(ctx, transfer.id, { baseQuantity: transfer.quantity.toNumber(), note: '' }, true);
}

/** 数量不对 on the card: the next quantity this person sends is what arrived. */
export async function askTransferDifference(ctx: BotContext): Promise<void> {
  const transfer = await findTransfer(ctx, ctx.keyArg);
  await requireOpen(ctx, transfer);
  const sku = await ctx.db.sku.findUniqueOrThrow({ where: { code: transfer.skuCode } });
  await rememberPendingInput(ctx, 'transferReceive', { transferId: String(transfer.id) });
  await ctx.reply(
    `调拨单 #${transfer.id} 调出 ${sku.name} ${format(transfer.quantity)}${sku.baseUnit}。请回复实际收到的数量和原因，例如：${format(Math.max(transfer.quantity.toNumber() - 1, 0))}${sku.baseUnit} 压坏1${sku.baseUnit}`,
  );
}

/**
 * `调拨收货` lists what is in transit to the sender's store; `调拨收货 12` receives #12 in full;
 * `调拨收货 12 4箱 压坏1箱` receives what arrived.
 */
export async function receiveTransferByText(ctx: BotContext): Promise<void> {
  const store = await requireStore(ctx);
  const [idText, ...rest] = ctx.args.split(/\s+/).filter(Boolean);
  if (!idText) return listIncoming(ctx, store);
  const transfer = await findTransfer(ctx, idText.replace(/^#/, ''));
  if (rest.length === 0) return confirmTransfer(ctx, transfer.id, { baseQuantity: transfer.quantity.toNumber(), note: '' }, false);
  await receiveWithDifference(ctx, transfer.id, rest.join(' '));
}

/** What arrived, typed after 数量不对 (`4箱 压坏1箱`) or after the transfer's number. */
export async function receiveWithDifference(ctx: BotContext, transferId: bigint, text: string): Promise<void> {
  const transfer = await ctx.db.stockTransfer.findUniqueOrThrow({ where: { id: transferId } });
  const [sku] = (await loadCatalogue(ctx)).filter((s) => s.code === transfer.skuCode);
  const quantity = readQuantity(text, sku);
  if (!quantity)
    throw new UserFacingError(
      STOCK_ERRORS.quantityMissing,
      `没看懂实收数量。请回复数量和原因，例如：2${sku.baseUnit} 压坏1${sku.baseUnit}（可用单位：${[sku.baseUnit, ...sku.packUnits.map((p) => p.unit)].join('、')}）`,
    );
  await confirmTransfer(ctx, transfer.id, { baseQuantity: quantity.baseQuantity, note: quantity.note }, false);
}

/**
 * Books the in-leg under the transfer's row lock, so two colleagues confirming at once (or a
 * confirmation racing the sender's 撤销) settle it once. What did not arrive stays out of both
 * stores' stock and is written on the transfer with its reason.
 */
async function confirmTransfer(ctx: BotContext, transferId: bigint, received: { baseQuantity: number; note: string }, fromCard: boolean): Promise<void> {
  const store = await requireStore(ctx);
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    const transfer = (await lockTransfer(tx.db, { id: transferId }))!;
    if (transfer.toStore !== store.code) throw new UserFacingError(STOCK_ERRORS.notYourTransfer, '这笔调拨不是发给你们门店的，不能确认收货。');
    await requireOpen(ctx, transfer, tx.db);
    const { sku, booked, short } = await receiveTransferLeg(tx.db, ctx.config, transfer, { userid: ctx.message.fromUser, baseQuantity: received.baseQuantity, note: received.note, now });
    const sent = transfer.quantity.toNumber();
    const unit = sku.baseUnit;
    await tx.db.stockPendingInput.deleteMany({ where: { userid: ctx.message.fromUser, kind: 'transferReceive' } });
    const from = await tx.db.store.findUniqueOrThrow({ where: { code: transfer.fromStore } });
    const onHandNow = booked ? booked.onHand : ((await tx.db.stockBalance.findUnique({ where: { storeCode_skuCode: { storeCode: store.code, skuCode: sku.code } } }))?.onHand.toNumber() ?? 0);
    const difference = short ? `，少 ${format(sent - received.baseQuantity)}${unit}（${received.note}）` : '';
    await tx.reply(`已确认收货：调拨单 #${transfer.id} ${sku.name} ${format(received.baseQuantity)}${unit}（来自 ${from.name}${difference}）。${store.name} 现有 ${format(onHandNow)}${unit}`);
    await tx.send(transfer.sentBy, `${store.name} 已确认收到调拨单 #${transfer.id}：${sku.name} ${format(received.baseQuantity)}${unit}${difference}。`);
    if (fromCard) await tx.updateCard({ replaceName: short ? '已确认（有差异）' : '已确认收货' });
  });
}

async function listIncoming(ctx: BotContext, store: { code: string; name: string }): Promise<void> {
  const incoming = await ctx.db.stockTransfer.findMany({ where: { toStore: store.code, status: 'in_transit' }, orderBy: { id: 'asc' }, take: 20 });
  if (incoming.length === 0) {
    throw new UserFacingError(
      STOCK_ERRORS.noTransferInTransit,
      `没有发往${store.name}的在途调拨。调拨要先由调出门店发「调拨 商品 数量 到 门店」，发出后你们才能确认收货；直接从供应商来的货请用「入库」。`,
    );
  }
  const skus = new Map((await ctx.db.sku.findMany({ where: { code: { in: incoming.map((t) => t.skuCode) } } })).map((s) => [s.code, s]));
  const stores = new Map((await ctx.db.store.findMany()).map((s) => [s.code, s.name]));
  const lines = incoming.map((t) => `#${t.id} ${skus.get(t.skuCode)!.name} ${format(t.quantity)}${skus.get(t.skuCode)!.baseUnit}（${stores.get(t.fromStore)} 发出）`);
  await ctx.reply(`${store.name}的在途调拨：\n${lines.join('\n')}\n全部收到：调拨收货 编号；数量不对：调拨收货 编号 实收数量 原因`);
}

async function findTransfer(ctx: BotContext, idText: string): Promise<StockTransfer> {
  const transfer = /^\d{1,18}$/.test(idText) ? await ctx.db.stockTransfer.findUnique({ where: { id: BigInt(idText) } }) : null;
  if (!transfer) throw new UserFacingError(STOCK_ERRORS.unknownTransfer, `没有调拨单「${idText}」。发「调拨收货」看发往你们店的在途调拨。`);
  return transfer;
}

/** Receiving is only for a transfer that was sent and is still on its way. */
async function requireOpen(ctx: BotContext, transfer: StockTransfer, db: DbTx = ctx.db): Promise<void> {
  if (transfer.status === 'cancelled') {
    if (ctx.message.event === 'template_card_event') await ctx.updateCard({ replaceName: '调出门店已撤销' });
    throw new UserFacingError(STOCK_ERRORS.transferCancelled, `调拨单 #${transfer.id} 已被调出门店撤销，货没有发出，不能收货。`);
  }
  if (transfer.status === 'received') {
    const who = transfer.receivedBy ? await db.staff.findUnique({ where: { userid: transfer.receivedBy } }) : null;
    const sku = await db.sku.findUniqueOrThrow({ where: { code: transfer.skuCode } });
    throw new UserFacingError(
      STOCK_ERRORS.transferAlreadyReceived,
      `调拨单 #${transfer.id} 已由${who?.name ?? transfer.receivedBy}确认收货（${format(transfer.receivedQuantity ?? 0)}${sku.baseUnit}）。`,
    );
  }
}
