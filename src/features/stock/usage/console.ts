import { ActionRefused, columns, dateTime, type ConsoleSection } from '../../../console/types';
import { percentFigure } from '../../../percent';
import { format } from '../ledger';
import { shareOfSales } from './periods';
import { assignUsageReason, isUsageReason, USAGE_REASONS } from './reasons';
import { latestUsageReport, reasonText, reportTotals, shareText, signedMoney, usageReportOf } from './report';

/** Strings, so the page shows money exactly (it rounds numbers to one decimal). */
const money = (amount: number) => (Math.round(amount * 100) / 100).toFixed(2);

/**
 * 理论与实际用量: the store's latest usage period, one row per SKU (largest variance by money
 * first), each with buttons to give its reason — the same reasons, and the same append-only
 * record, as the chat card and `差异原因`. The chart sets theoretical against actual usage at cost,
 * so SKUs of different units stand on one axis.
 */
export const usageSection: ConsoleSection = {
  key: 'usage',
  title: '理论与实际用量',
  order: 75, // after 盘点准确率 (70), before 库存 (80)
  columns: columns(
    { sku: '编码', name: '商品', unit: '单位', opening: '期初', closing: '期末', theoretical: '理论用量', actual: '实际用量', variance: '差异' },
    { theoreticalCost: '理论用量(元)', actualCost: '实际用量(元)', varianceCost: '差异金额(元)', shareOfSales: '占销售%', reason: ['原因', 'select'] },
  ),
  chart: { kind: 'bar', category: 'name', series: ['theoreticalCost', 'actualCost'], limit: 15 },
  async summary({ db, timezone }, storeCode) {
    const report = await latestUsageReport(db, storeCode);
    if (!report) return '还没有用量报告：一个商品要在两次确认调整过的盘点里都盘过，才有一期。';
    const totals = reportTotals(report);
    return `盘点 #${totals.opensWith} → #${report.count.id}（${dateTime(totals.opensAt!, timezone)} 至 ${dateTime(report.count.closedAt, timezone)}）：理论 ¥${money(totals.theoreticalCost)}，实际 ¥${money(totals.actualCost)}，差异 ${signedMoney(totals.varianceCost)}，占销售 ${shareText(totals.share)}。差异 > 0 是多用了；点按钮填原因。`;
  },
  async rows({ db }, storeCode) {
    const report = await latestUsageReport(db, storeCode);
    if (!report) return [];
    const actions = Object.entries(USAGE_REASONS).map(([key, label]) => ({ key, label }));
    return report.lines.map((l) => {
      const share = shareOfSales(l.varianceCost, l.revenue);
      return {
        id: `${l.countId}:${l.skuCode}`,
        cells: {
          sku: l.skuCode,
          name: l.name,
          unit: l.unit,
          opening: format(l.opening),
          closing: format(l.closing),
          theoretical: format(l.theoretical),
          actual: format(l.actual),
          variance: format(l.variance),
          theoreticalCost: money(l.theoreticalCost),
          actualCost: money(l.actualCost),
          varianceCost: money(l.varianceCost),
          shareOfSales: share === null ? null : percentFigure(share),
          reason: reasonText(report, l),
        },
        actions,
      };
    });
  },
  async act({ db, clock, viewer }, storeCode, rowId, action) {
    const [countText, skuCode] = [rowId.slice(0, rowId.indexOf(':')), rowId.slice(rowId.indexOf(':') + 1)];
    if (!isUsageReason(action)) throw new ActionRefused('unknown_reason', `没有「${action}」这个原因。`, 400);
    const count = /^\d{1,18}$/.test(countText) ? await db.stockCount.findUnique({ where: { id: BigInt(countText) } }) : null;
    const line = count && count.storeCode === storeCode && count.status === 'approved' ? (await usageReportOf(db, count)).lines.find((l) => l.skuCode === skuCode) : undefined;
    if (!count || !line) throw new ActionRefused('unknown_period', '没有这一期的这个商品。', 404);
    const now = clock.now();
    await db.$transaction((tx) =>
      assignUsageReason(tx, {
        countId: count.id,
        skuCode,
        reason: action,
        by: viewer.userid,
        at: now,
        source: 'console',
        externalId: `console:${viewer.userid}:${count.id}:${skuCode}:${now.getTime()}`,
      }),
    );
  },
};
