import type { DemoContext } from '../../../bot/registry';
import type { Db } from '../../../db';
import { Prisma } from '../../../generated/prisma/client';
import { bookMoves } from '../booking';
import type { NewMove } from '../ledger';

/** What the demo's closing count finds short, and the story behind each: the variance report explains them. */
const SHORT: Record<string, number> = {
  MILK: 3, // a case knocked over in the cold room and thrown away, never booked (未记报损)
  PEARL_COOKED: 400, // scoops heavier than the recipe's 60 克 (份量)
  CHEESE: 0.5, // 奶盖 poured too thick
};
const STORE = 'S001';
const STAFF = 'zhoumanager';

/**
 * Two approved full counts of the demo's first store around its till sales (recipes/demo.ts): one
 * right after the opening stock, matching the book, and one an hour before the sandbox started,
 * which finds what the story above left missing — so 用量 and the console's 理论与实际用量 show a
 * period whose variance makes sense, beside sales that explain the rest exactly. Written as the
 * count would have written it (entries with the book at the time, adjustments booked as moves).
 */
export async function seedUsageDemo(db: Db, { now, config }: DemoContext): Promise<void> {
  const firstMove = await db.stockMove.findFirst({ where: { storeCode: STORE }, orderBy: { occurredAt: 'asc' } });
  if (!firstMove) return;
  const opening = new Date(firstMove.occurredAt.getTime() + 30 * 60_000);
  const closing = new Date(now.getTime() - 60 * 60_000);
  for (const [n, at] of [opening, closing].entries()) {
    const book = await db.$queryRaw<{ sku_code: string; on_hand: Prisma.Decimal; base_unit: string }[]>`
      SELECT m.sku_code, SUM(m.quantity) AS on_hand, s.base_unit FROM stock_move m JOIN sku s ON s.code = m.sku_code
      WHERE m.store_code = ${STORE} AND m.occurred_at <= ${at} GROUP BY m.sku_code, s.base_unit ORDER BY m.sku_code`;
    const count = await db.stockCount.create({
      data: { storeCode: STORE, status: 'approved', openedBy: STAFF, openedAt: at, closedBy: STAFF, closedAt: at, approvedBy: STAFF, approvedAt: at, externalId: `demo:count:${n + 1}` },
    });
    const counted = book.map((b) => ({ ...b, counted: Prisma.Decimal.max(0, n === 0 ? b.on_hand : b.on_hand.minus(SHORT[b.sku_code] ?? 0)) }));
    await db.stockCountEntry.createMany({
      data: counted.map((c) => ({
        countId: count.id,
        skuCode: c.sku_code,
        counted: c.counted,
        book: c.on_hand,
        countedBy: STAFF,
        countedAt: at,
        source: 'scan',
        externalId: `demo:count:${n + 1}:${c.sku_code}`,
      })),
    });
    const adjustments: NewMove[] = counted
      .filter((c) => !c.counted.equals(c.on_hand))
      .map((c) => ({
        storeCode: STORE,
        skuCode: c.sku_code,
        kind: 'count_adjustment',
        quantity: c.counted.minus(c.on_hand).toNumber(),
        reason: `盘点 #${count.id}：实盘 ${c.counted}，账面 ${c.on_hand}`,
        staffUserid: STAFF,
        occurredAt: at,
        recordedAt: at,
        source: 'count',
        externalId: `count:${count.id}:${c.sku_code}`,
      }));
    const rules = new Map(counted.map((c) => [c.sku_code, { baseUnit: c.base_unit, allowNegative: true }]));
    await db.$transaction((tx) => bookMoves(tx, config, adjustments, rules, at));
  }
}
