import { columns, dateTime, type ConsoleSection } from '../../console/types';
import { chainDate, daysBetween, weekdayOf } from '../../timezone';
import { HISTORY_DAYS } from './forecast';
import { format } from './ledger';
import { HORIZON_DAYS, stockoutRisks } from './stockout';

const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/**
 * What is below safety stock now, as the stock feature's alert state has it (stock_low_alert,
 * src/features/stock/alerts.ts): the reorder quantity is the one it worked out when the SKU
 * dropped and the manager was told, beside today's on-hand.
 */
export const lowStockSection: ConsoleSection = {
  key: 'lowStock',
  title: '低库存预警',
  order: 50,
  columns: columns({ sku: '编码', name: '商品', category: ['分类', 'select'], onHand: '现有', safetyStock: '安全库存', reorder: '建议补货', unit: '单位', alerted: '预警时间' }),
  async summary({ db }, storeCode) {
    const low = await db.stockLowAlert.count({ where: { storeCode, state: 'low' } });
    return low ? `${low} 项低于安全库存。建议补货量 = 安全库存 + 预计用量 − 现有 − 在途，在预警时算出。` : '没有低于安全库存的商品。';
  },
  async rows({ db, timezone }, storeCode) {
    const alerts = await db.stockLowAlert.findMany({ where: { storeCode, state: 'low' }, orderBy: { alertedAt: 'desc' } });
    const skuCodes = alerts.map((a) => a.skuCode);
    const [skus, settings, balances] = await Promise.all([
      db.sku.findMany({ where: { code: { in: skuCodes } } }),
      db.skuStoreSetting.findMany({ where: { storeCode, skuCode: { in: skuCodes } } }),
      db.stockBalance.findMany({ where: { storeCode, skuCode: { in: skuCodes } } }),
    ]);
    const sku = new Map(skus.map((s) => [s.code, s]));
    const safety = new Map(settings.map((s) => [s.skuCode, s.safetyStock]));
    const onHand = new Map(balances.map((b) => [b.skuCode, b.onHand]));
    return alerts.map((a) => ({
      cells: {
        sku: a.skuCode,
        name: sku.get(a.skuCode)?.name ?? a.skuCode,
        category: sku.get(a.skuCode)?.category ?? null,
        onHand: format(onHand.get(a.skuCode) ?? 0),
        safetyStock: safety.has(a.skuCode) ? format(safety.get(a.skuCode)!) : null,
        reorder: format(a.reorderQuantity),
        unit: sku.get(a.skuCode)?.baseUnit ?? null,
        alerted: a.alertedAt ? dateTime(a.alertedAt, timezone) : null,
      },
    }));
  },
};

/**
 * The SKUs likely to run out in the coming week, and the day. The forecast is not stored (the
 * morning job only sends it), so it is computed here on request by the stock feature's own
 * stockoutRisks: the same answer the store manager got at 07:00, as of now.
 */
export const stockoutSection: ConsoleSection = {
  key: 'stockout',
  title: '断货预测',
  order: 60,
  columns: columns({ sku: '编码', name: '商品', onHand: '现有', daily: '日均预计用量', unit: '单位', runOut: '预计用完', daysLeft: '还剩(天)' }),
  async summary() {
    return `按近 ${HISTORY_DAYS} 天的用量（含星期规律）预测未来 ${HORIZON_DAYS} 天，计入未入库的到货和在途调拨；打开页面时现算。`;
  },
  async rows({ db, clock, timezone }, storeCode) {
    const today = chainDate(clock.now(), timezone);
    const risks = await stockoutRisks(db, storeCode, today, timezone);
    return risks.map((r) => {
      const daysLeft = daysBetween(today, r.runOutDate);
      return {
        cells: {
          sku: r.skuCode,
          name: r.skuName,
          onHand: format(r.onHand),
          daily: format(Math.round((r.usage.reduce((a, b) => a + b, 0) / r.usage.length) * 10) / 10),
          unit: r.unit,
          runOut: `${daysLeft === 0 ? '今天 ' : ''}${r.runOutDate.slice(5)}（${WEEKDAYS[weekdayOf(r.runOutDate)]}）`,
          daysLeft,
        },
      };
    });
  },
};
