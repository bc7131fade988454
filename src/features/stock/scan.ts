import type { BotContext } from '../../bot/context';
import type { Handler } from '../../bot/registry';
import { UserFacingError } from '../../bot/errors';
import type { InboundFields } from '../../bot/message';
import { templateCard } from '../../platform/outbound';
import { loadCatalogue } from './catalogue';
import { bookStockMove } from './commands';
import type { EnteredQuantity } from './entered';
import { requireStore } from './stores';
import { openCountOf, recordCountEntry } from './count-commands';
import { factorOf, readQuantity } from './parse';
import { rememberPendingInput } from './pending';
import { STOCK_CARDS, STOCK_ERRORS } from './keys';
import { STOCK_KINDS } from './move-kinds';

/**
 * Scanning from the app menu (扫码入库 / 扫码报损 / 扫码盘点, type scancode_waitmsg): the barcode
 * names the SKU and the unit it counts (a case barcode counts 箱); the bot asks how many — tap a
 * quantity on the card or send it as the next message — and books it, keyed by the scan event so
 * a second tap or a retried message books nothing more.
 */
export const SCAN_ACTIONS = {
  'stock.scanReceive': { name: '扫码入库', kind: 'receipt' },
  'stock.scanWaste': { name: '扫码报损', kind: 'waste' },
  'stock.scanCount': { name: '扫码盘点', kind: 'count' },
} as const;
export type ScanKey = keyof typeof SCAN_ACTIONS;

/** Quantities offered on the card, in the scanned unit. */
const COMMON_QUANTITIES = [1, 2, 3, 5, 10];

export function askScannedQuantity(key: ScanKey): Handler {
  return async (ctx) => {
    const action = SCAN_ACTIONS[key];
    const store = await requireStore(ctx);
    const scanned = await scannedSku(ctx, ctx.message.scan?.result ?? '');
    if (action.kind === 'count') await openCountOf(ctx.db, store);
    await rememberPendingInput(ctx, 'scan', { scanId: ctx.message.id });
    await ctx.reply(
      templateCard({
        card_type: 'button_interaction',
        main_title: { title: `${STOCK_KINDS[action.kind].name}：${scanned.sku.name}（${scanned.unit}）`, desc: `条码 ${scanned.barcode}` },
        sub_title_text: `点一个数量，或直接回复数量（如 12 或 ${action.kind === 'count' ? '18' : '2'}${scanned.unit}）${action.kind === 'waste' ? '，可带原因：2盒 过期' : ''}`,
        button_list: COMMON_QUANTITIES.map((n, i) => ({ text: `${n}${scanned.unit}`, style: i === 0 ? 1 : 2, key: `${STOCK_CARDS.scanQuantity}:${ctx.message.id}:${n}` })),
      }),
    );
  };
}

/** A quantity tapped on the scan card. */
export async function bookTappedQuantity(ctx: BotContext): Promise<void> {
  const [scanId, amount] = ctx.keyArg.split(':');
  const booked = await bookScannedQuantity(ctx, scanId, { amount: Number(amount) });
  await ctx.updateCard({ replaceName: booked ? `已记 ${amount}` : '已记过' });
}

/**
 * Books the quantity for the scan `scanId` (the inbound row of the scan event, which says what
 * was scanned and from which button): a tapped amount in the scanned unit, or a typed one.
 */
export async function bookScannedQuantity(ctx: BotContext, scanId: string, input: { amount: number } | { text: string }): Promise<string | null> {
  const row = /^\d{1,18}$/.test(scanId) ? await ctx.db.inboundMessage.findUnique({ where: { id: BigInt(scanId) } }) : null;
  if (!row || row.fromUser !== ctx.message.fromUser) throw new UserFacingError(STOCK_ERRORS.notYourScan, '只能给你自己扫的商品填数量。');
  const scan = row.payload as unknown as InboundFields;
  const action = SCAN_ACTIONS[scan.eventKey as ScanKey];
  const store = await requireStore(ctx);
  const scanned = await scannedSku(ctx, scan.scan?.result ?? '');
  const sku = (await loadCatalogue(ctx)).find((s) => s.code === scanned.sku.code)!;
  let quantity: { amount: number; unit: string; baseQuantity: number; note: string } | null;
  if ('amount' in input) quantity = { amount: input.amount, unit: scanned.unit, baseQuantity: input.amount * factorOf(sku, scanned.unit), note: '' };
  else quantity = readQuantity(input.text, sku, scanned.unit);
  if (!quantity)
    throw new UserFacingError(STOCK_ERRORS.quantityMissing, `没看懂数量。请回复数量，例如：2${scanned.unit}（可用单位：${[sku.baseUnit, ...sku.packUnits.map((p) => p.unit)].join('、')}）`);
  if (!(quantity.amount > 0) && action.kind !== 'count') throw new UserFacingError(STOCK_ERRORS.quantityOutOfRange, '数量要大于 0。');
  const entered: EnteredQuantity = {
    store,
    sku,
    ...quantity,
    occurredAt: new Date(row.createTime * 1000),
    source: 'scan',
    externalId: `scan:${row.id}`,
  };
  const booked = action.kind === 'count' ? await recordCountEntry(ctx, entered) : await bookStockMove(ctx, action.kind, entered);
  await ctx.db.stockPendingInput.deleteMany({ where: { userid: ctx.message.fromUser, kind: 'scan', payload: { path: ['scanId'], equals: String(row.id) } } });
  return booked;
}

/** Scanners prefix the symbology (`EAN_13,690…`); the barcode is what follows the comma. */
async function scannedSku(ctx: BotContext, result: string) {
  const barcode = result.split(',').pop()!.trim();
  const found = barcode ? await ctx.db.skuBarcode.findUnique({ where: { barcode }, include: { sku: true } }) : null;
  if (!found) throw new UserFacingError(STOCK_ERRORS.unknownBarcode, `条码 ${barcode || '（空）'} 不在商品目录里。请核对商品，或请管理员把这个条码导入商品资料；也可以直接发文字，例如：入库 牛奶 2箱`);
  return { barcode, sku: found.sku, unit: found.unit ?? found.sku.baseUnit };
}
