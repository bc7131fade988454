import type { DemoContext } from '../../bot/registry';
import type { Db } from '../../db';

/**
 * A delivery notice for the sandbox's first store, expected half an hour before the sandbox
 * started: `入库 奶油 2箱` fills part of it, and left unbooked it turns into a late-delivery task
 * with an 入库 button an hour and a half later.
 */
export async function seedStockChecksDemo(db: Db, { now }: DemoContext): Promise<void> {
  await db.stockDelivery.create({
    data: {
      id: 'DEMO-ERP-0001',
      source: 'erp',
      storeCode: 'S001',
      expectedAt: new Date(now.getTime() - 30 * 60_000),
      createdAt: now,
      updatedAt: now,
      lines: {
        create: [
          { lineNo: 1, skuCode: 'CREAM', quantity: 24, unitQuantity: 2, unit: '箱' },
          { lineNo: 2, skuCode: 'MILK', quantity: 12, unitQuantity: 1, unit: '箱' },
        ],
      },
    },
  });
}
