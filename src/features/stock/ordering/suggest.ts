import type { DbTx } from '../../../db';
import { Prisma } from '../../../generated/prisma/client';
import { chainDate, startOfChainDate } from '../../../timezone';
import { dailyUsageSeries, forecastDaily, historyWindow } from '../forecast';

/**
 * Suggested order (建议订货) of a store from each supplier: for every SKU with a supplier and a par
 * level in the store,
 *
 *   suggest = par level + forecast usage over the supplier's lead time − on hand − on its way
 *
 * rounded up to whole packs of the SKU's largest pack unit (or whole base units without one), and
 * nothing when that is 0 or less. The forecast is forecast.ts's, from the store's ledger: POS sales
 * of menu items are booked as their ingredients' `sale` moves, so it covers recipes × item sales.
 * On its way: expected deliveries not yet booked and transfers to the store in transit.
 */

export interface SuggestedLine {
  sku: string;
  name: string;
  unit: string;
  /** Base units to order: whole packs. */
  quantity: number;
  packs: number;
  packUnit: string;
  par: number;
  forecast: number;
  onHand: number;
  incoming: number;
  leadTimeDays: number;
}

/** The order quantity in base units and in packs of `packFactor` (1: the base unit). */
export function suggestedQuantity(f: { par: number; forecast: number; onHand: number; incoming: number; packFactor: number }): { quantity: number; packs: number } {
  const need = f.par + f.forecast - f.onHand - f.incoming;
  if (need <= 1e-9) return { quantity: 0, packs: 0 };
  // A hair over a whole pack from float sums is that pack, not one more.
  const packs = Math.ceil(need / f.packFactor - 1e-9);
  return { quantity: packs * f.packFactor, packs };
}

/** Per supplier (by name), the lines worth ordering, largest first by packs; suppliers with nothing to order are absent. */
export async function suggestOrders(db: DbTx, storeCode: string, now: Date, timezone: string): Promise<Map<string, SuggestedLine[]>> {
  const settings = await db.skuStoreSetting.findMany({ where: { storeCode, parLevel: { not: null }, sku: { supplier: { not: null } } }, include: { sku: true } });
  if (settings.length === 0) return new Map();
  const skuCodes = settings.map((s) => s.skuCode);
  const today = chainDate(now, timezone);
  const [series, balances, incoming] = await Promise.all([
    dailyUsageSeries(db, { timezone, ...historyWindow(today, (d) => startOfChainDate(d, timezone)), storeCode }),
    db.stockBalance.findMany({ where: { storeCode, skuCode: { in: skuCodes } } }),
    onItsWay(db, storeCode),
  ]);
  const seriesOf = new Map(series.map((s) => [s.skuCode, s]));
  const onHandOf = new Map(balances.map((b) => [b.skuCode, b.onHand.toNumber()]));
  const bySupplier = new Map<string, SuggestedLine[]>();
  for (const setting of settings) {
    const sku = setting.sku;
    const leadTimeDays = sku.leadTimeDays ?? 0;
    const history = seriesOf.get(sku.code);
    const forecast = history && leadTimeDays > 0 ? round3(forecastDaily(history.usage, history.firstDate, leadTimeDays).reduce((a, b) => a + b, 0)) : 0;
    const [pack] = [...(sku.packUnits as { unit: string; factor: number }[])].sort((a, b) => b.factor - a.factor);
    const line = { par: setting.parLevel!.toNumber(), forecast, onHand: onHandOf.get(sku.code) ?? 0, incoming: incoming.get(sku.code) ?? 0 };
    const { quantity, packs } = suggestedQuantity({ ...line, packFactor: pack?.factor ?? 1 });
    if (quantity <= 0) continue;
    const lines = bySupplier.get(sku.supplier!) ?? [];
    lines.push({ sku: sku.code, name: sku.name, unit: sku.baseUnit, quantity, packs, packUnit: pack?.unit ?? sku.baseUnit, ...line, leadTimeDays });
    bySupplier.set(sku.supplier!, lines);
  }
  for (const lines of bySupplier.values()) lines.sort((a, b) => b.quantity - a.quantity || a.sku.localeCompare(b.sku));
  return new Map([...bySupplier].sort(([a], [b]) => a.localeCompare(b)));
}

/** Expected deliveries not fully booked and transfers in transit to the store, per SKU (base units). */
async function onItsWay(db: DbTx, storeCode: string): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ sku_code: string; quantity: Prisma.Decimal }[]>`
    SELECT sku_code, SUM(quantity) AS quantity FROM (
      SELECT l.sku_code, l.quantity - l.booked_quantity AS quantity
      FROM stock_delivery_line l JOIN stock_delivery d ON d.id = l.delivery_id
      WHERE d.store_code = ${storeCode} AND d.booked_at IS NULL AND l.booked_quantity < l.quantity
      UNION ALL
      SELECT sku_code, quantity FROM stock_transfer WHERE to_store = ${storeCode} AND status = 'in_transit'
    ) AS coming
    GROUP BY sku_code`;
  return new Map(rows.map((r) => [r.sku_code, new Prisma.Decimal(r.quantity).toNumber()]));
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
