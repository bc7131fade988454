import { columns, dateTime, type ConsoleSection } from '../../console/types';
import { Prisma } from '../../generated/prisma/client';
import { moveKindText, moveSourceText } from './move-kinds';

const qty = (d: Prisma.Decimal | null) => (d === null ? null : new Prisma.Decimal(d).toDecimalPlaces(3).toNumber());

/** On-hand per SKU with the safety stock: what is below it is the store's stock alert. */
export const stockBalanceSection: ConsoleSection = {
  key: 'stock',
  title: '库存',
  order: 80,
  columns: columns({ sku: '编码', name: '商品', category: ['分类', 'select'], onHand: '现有', unit: '单位', safetyStock: '安全库存', status: ['状态', 'select'] }),
  async rows({ db }, storeCode) {
    const rows = await db.$queryRaw<{ code: string; name: string; category: string; base_unit: string; on_hand: Prisma.Decimal | null; safety_stock: Prisma.Decimal | null }[]>`
      SELECT s.code, s.name, s.category, s.base_unit, b.on_hand, st.safety_stock
      FROM sku s
      LEFT JOIN stock_balance b ON b.sku_code = s.code AND b.store_code = ${storeCode}
      LEFT JOIN sku_store_setting st ON st.sku_code = s.code AND st.store_code = ${storeCode}
      WHERE b.sku_code IS NOT NULL OR st.sku_code IS NOT NULL
      ORDER BY s.category, s.code`;
    return rows.map((r) => {
      const onHand = qty(r.on_hand) ?? 0;
      const safety = qty(r.safety_stock);
      return {
        cells: {
          sku: r.code,
          name: r.name,
          category: r.category,
          onHand,
          unit: r.base_unit,
          safetyStock: safety,
          status: onHand < 0 ? '负库存' : safety !== null && onHand < safety ? '低于安全库存' : '正常',
        },
      };
    });
  },
};

/** The store's ledger of the last 30 days, newest first: who booked what, and the reversals. */
export const stockMovesSection: ConsoleSection = {
  key: 'stockMoves',
  title: '库存流水',
  order: 90,
  columns: columns({ at: '时间', name: '商品', kind: ['类型', 'select'], quantity: '数量', reason: '原因', by: ['记录人', 'select'], source: ['来源', 'select'] }),
  async rows({ db, clock, timezone }, storeCode) {
    const since = new Date(clock.now().getTime() - 30 * 86_400_000);
    const moves = await db.stockMove.findMany({ where: { storeCode, occurredAt: { gte: since } }, orderBy: { id: 'desc' }, take: 1000 });
    const skus = new Map((await db.sku.findMany({ where: { code: { in: [...new Set(moves.map((m) => m.skuCode))] } }, select: { code: true, name: true, baseUnit: true } })).map((s) => [s.code, s]));
    const staff = new Map(
      (await db.staff.findMany({ where: { userid: { in: [...new Set(moves.flatMap((m) => (m.staffUserid ? [m.staffUserid] : [])))] } }, select: { userid: true, name: true } })).map((s) => [
        s.userid,
        s.name,
      ]),
    );
    return moves.map((m) => ({
      cells: {
        at: dateTime(m.occurredAt, timezone),
        name: skus.get(m.skuCode)?.name ?? m.skuCode,
        kind: moveKindText(m.kind),
        quantity: `${qty(m.quantity)}${skus.get(m.skuCode)?.baseUnit ?? ''}`,
        reason: m.reason,
        by: m.staffUserid ? (staff.get(m.staffUserid) ?? m.staffUserid) : null,
        source: moveSourceText(m.source),
      },
    }));
  },
};
