import type { DemoContext } from '../../bot/registry';
import type { Db } from '../../db';
import { bookMoves } from './booking';
import type { NewMove } from './ledger';

/** Before the demo's few days of till sales (recipes/demo.ts). */
const OPENING_DAYS_AGO = 4;

/**
 * The sandbox's opening stock: each demo store starts with about three days of its safety stock
 * of every SKU, booked as an ERP receipt before the demo's till sales, so 报损, 调拨 and 盘点 have
 * something to work on.
 */
export async function seedStockDemo(db: Db, { now, config }: DemoContext): Promise<void> {
  const openedAt = new Date(now.getTime() - OPENING_DAYS_AGO * 86_400_000);
  const settings = await db.skuStoreSetting.findMany({ include: { sku: true } });
  const moves: NewMove[] = settings.map((s) => ({
    storeCode: s.storeCode,
    skuCode: s.skuCode,
    kind: 'receipt',
    quantity: Math.max(1, s.safetyStock.toNumber() * 3),
    reason: '演示：期初库存',
    occurredAt: openedAt,
    recordedAt: openedAt,
    source: 'erp',
    externalId: `demo:opening:${s.storeCode}:${s.skuCode}`,
  }));
  const rules = new Map(settings.map((s) => [s.skuCode, { baseUnit: s.sku.baseUnit, allowNegative: s.sku.allowNegative }]));
  await db.$transaction((tx) => bookMoves(tx, config, moves, rules, openedAt));
}
