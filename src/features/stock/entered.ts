import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { StockSku } from './catalogue';

/** A quantity of a SKU someone entered (typed or scanned), ready to be booked, sent or counted. */
export interface EnteredQuantity {
  store: { code: string; name: string };
  sku: StockSku;
  amount: number;
  unit: string;
  baseQuantity: number;
  note: string;
  /** `调拨 … 到 二店`: the receiving store as typed. */
  toStoreText?: string;
  occurredAt: Date;
  source: 'chat' | 'scan';
  /** `chat:<inbound id>` or `scan:<inbound id>`: what makes booking it twice impossible. */
  externalId: string;
}

export async function requireStore(ctx: BotContext): Promise<{ code: string; name: string }> {
  const store = ctx.staff?.storeCode ? await ctx.db.store.findUnique({ where: { code: ctx.staff.storeCode } }) : null;
  if (!store) throw new UserFacingError('stock.noStore', '你还没有所属门店，记账前请店长或管理员在员工名单里设置你的门店。');
  return store;
}
