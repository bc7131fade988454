import { openTestDatabase } from '../helpers/database';
import { seedDemoData } from '../../src/sandbox/demo';
import { staffOnShift } from '../../src/features/masterdata/shifts';
import { usageLines } from '../../src/features/stock/usage/periods';
import { suggestOrders } from '../../src/features/stock/ordering/suggest';

it('seeds the demo chain once, and --reset wipes everything and seeds it again', async () => {
  const database = await openTestDatabase();
  const db = database.prisma;
  try {
    const now = new Date('2026-11-25T02:00:00Z');
    expect(await seedDemoData(db, { reset: false, now })).toBe('seeded');
    expect(await db.store.count()).toBe(2);
    expect(await db.staff.count({ where: { role: 'staff' } })).toBe(6);
    expect(await db.staff.count({ where: { role: 'store_manager' } })).toBe(2);
    expect(await db.sku.count()).toBeGreaterThanOrEqual(30);
    expect(await db.skuStoreSetting.count()).toBe(2 * (await db.sku.count()));
    // hire_date is a DATE: seven days before `now`, at midnight.
    expect((await db.staff.findUniqueOrThrow({ where: { userid: 'wangxin' } })).hireDate).toEqual(new Date('2026-11-18T00:00:00Z'));
    // Every SKU scans: its own barcode, and a case barcode where it comes in cases.
    expect(await db.skuBarcode.count({ where: { unit: null } })).toBe(await db.sku.count());
    // 200 members with about three months of orders, the same on every seed; some drifted away.
    expect(await db.member.count()).toBe(200);
    const orders = await db.memberOrder.count();
    expect(orders).toBeGreaterThan(200 * 5);
    expect(await db.memberOrder.findFirst({ where: { orderedAt: { lt: new Date(now.getTime() - 91 * 86_400_000) } } })).toBeNull();
    expect(await db.memberTag.count({ where: { tag: '潜在流失' } })).toBeGreaterThan(30);
    expect(await db.campaign.findUnique({ where: { id: 'demo-winback' } })).not.toBeNull();

    // A tea and bakery menu with recipes, three days of till sales booked by them, and one item sold without a recipe.
    expect(await db.menuItem.count({ where: { category: { not: '烘焙' } } })).toBeGreaterThanOrEqual(15);
    expect(await db.menuItem.count({ where: { category: '烘焙' } })).toBeGreaterThanOrEqual(5);
    expect(await db.stockSaleLine.count({ where: { unmapped: null } })).toBeGreaterThan(3 * 60);
    expect((await db.stockSaleLine.findMany({ where: { unmapped: { not: null } }, distinct: ['itemCode'] })).map((l) => l.itemCode)).toEqual(['COCO_LATTE']);
    expect(await db.stockMove.count({ where: { kind: 'sale', source: 'pos' } })).toBeGreaterThan(3 * 60 * 5);
    expect(await db.stockLateMove.count()).toBe(0);
    // Two counts of 一店 around the sales: the period's variance is what the demo's story left short, nothing else.
    const closing = await db.stockCount.findUniqueOrThrow({ where: { externalId: 'demo:count:2' } });
    const variances = (await usageLines(db, { countIds: [closing.id] })).filter((l) => Math.abs(l.variance) > 1e-9).map((l) => [l.skuCode, +l.variance.toFixed(3)]);
    expect(variances.sort()).toEqual([
      ['CHEESE', 0.5],
      ['MILK', 3],
      ['PEARL_COOKED', 400],
    ]);
    // Every SKU but the two made in the store (煮好的珍珠, 吐司) has a supplier, and each store a par level per SKU: 建议订货 has something to suggest.
    expect((await db.sku.findMany({ where: { supplier: null }, orderBy: { code: 'asc' } })).map((s) => s.code)).toEqual(['PEARL_COOKED', 'TOAST']);
    expect(await db.skuStoreSetting.count({ where: { parLevel: null } })).toBe(0);
    expect((await suggestOrders(db, 'S001', now, 'Asia/Shanghai')).size).toBeGreaterThan(0);
    // A week of shifts (six days each for eight people), and two open tasks to watch the ladder on.
    expect(await db.shift.count()).toBe(8 * 6);
    expect((await staffOnShift(db, 'S001', now)).map((s) => s.userid).sort()).toEqual(['wangxin', 'zhangxiaomei', 'zhoumanager']); // 10:00 in Shanghai
    expect(await db.task.count({ where: { state: 'open' } })).toBe(2);

    expect(await seedDemoData(db, { reset: false, now })).toBe('present');
    await db.inboundMessage.create({ data: { dedupeKey: 'x', msgType: 'text', fromUser: 'liqiang', createTime: 1, payload: {} } });
    await db.store.update({ where: { code: 'S001' }, data: { name: '改过的名字' } });

    expect(await seedDemoData(db, { reset: true, now })).toBe('seeded');
    expect(await db.inboundMessage.count()).toBe(0);
    expect(await db.task.count()).toBe(2);
    expect((await db.store.findUniqueOrThrow({ where: { code: 'S001' } })).name).toBe('一店 · 人民路');
    expect(await db.memberOrder.count()).toBe(orders);
  } finally {
    await database.close();
  }
});
