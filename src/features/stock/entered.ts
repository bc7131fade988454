import type { StockSku } from './catalogue';

/** A quantity of a SKU someone entered (typed or scanned), ready to be booked, sent or counted. */
export interface EnteredQuantity {
  store: { code: string; name: string };
  sku: StockSku;
  amount: number;
  unit: string;
  baseQuantity: number;
  note: string;
  /** A receipt's batch expiry as given (`效期 12月20日`), `YYYY-MM-DD`; else the SKU's shelf life decides. */
  expiresOn?: string;
  /** `调拨 … 到 二店`: the receiving store as typed. */
  toStoreText?: string;
  occurredAt: Date;
  source: 'chat' | 'scan';
  /** `chat:<inbound id>` or `scan:<inbound id>`: what makes booking it twice impossible. */
  externalId: string;
}
