import type { Db } from '../../db';
import { loadConfig } from '../../config';
import { bookMoves } from './booking';
import type { NewMove } from './ledger';

/**
 * The sandbox's opening stock: each demo store starts with about three days of its safety stock
 * of every SKU, booked as an ERP receipt, so 报损, 调拨 and 盘点 have something to work on.
 */
export async function seedStockDemo(db: Db, now: Date): Promise<void> {
  const settings = await db.skuStoreSetting.findMany({ include: { sku: true } });
  const moves: NewMove[] = settings.map((s) => ({
    storeCode: s.storeCode,
    skuCode: s.skuCode,
    kind: 'receipt',
    quantity: Math.max(1, s.safetyStock.toNumber() * 3),
    reason: '演示：期初库存',
    occurredAt: now,
    recordedAt: now,
    source: 'erp',
    externalId: `demo:opening:${s.storeCode}:${s.skuCode}`,
  }));
  const rules = new Map(settings.map((s) => [s.skuCode, { baseUnit: s.sku.baseUnit, allowNegative: s.sku.allowNegative }]));
  // Booked on time and above safety stock, the opening stock meets no rule a setting could change: the defaults do.
  await db.$transaction((tx) => bookMoves(tx, loadConfig({}), moves, rules, now));
}
