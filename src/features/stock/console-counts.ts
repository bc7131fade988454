import { columns, dateTime, type ConsoleSection } from '../../console/types';
import { formatPercent, percentFigure } from '../../percent';
import { countAccuracy, isWithinTolerance, toleranceText, uncountedWithStock, variance, varianceLines, type VarianceLine } from './counts';
import { format } from './ledger';
import type { CountTolerance } from './settings';

/** The counts listed: a year of monthly counts and then some. */
const COUNTS_SHOWN = 24;
const STATUS_TEXT: Record<string, string> = { open: '盘点中', closed: '待批准', approved: '已批准' };

/** Strings, so the page shows them exactly (it rounds numbers to one decimal). */
const money = (amount: number) => (Math.round(amount * 100) / 100).toFixed(2);

function accuracyText(lines: VarianceLine[], tolerance: CountTolerance): string {
  const a = countAccuracy(lines, tolerance);
  const within = Math.round(a.withinTolerance * a.skus);
  return `数量准确率 ${formatPercent(a.byQuantity)}，金额准确率 ${formatPercent(a.byCost)}，差异在 ${toleranceText(lines, tolerance)} 内的商品 ${within}/${a.skus}（${formatPercent(a.withinTolerance)}）`;
}

/**
 * The store's counts (盘点), newest first, each with its accuracy as the stock feature computes it
 * (src/features/stock/counts.ts: the same figures the count's closing message and the health
 * score use). A count still open shows what has been counted so far. Tapping one lists its
 * variance per SKU.
 */
export const countsSection: ConsoleSection = {
  key: 'counts',
  title: '盘点准确率',
  order: 70,
  columns: columns(
    { count: '盘点', scope: ['范围', 'select'], status: ['状态', 'select'], opened: '开始', closed: '结束' },
    { skus: '商品数', withinTolerance: '容差内%', byQuantity: '数量准确率%', byCost: '金额准确率%', costDifference: '差异金额(元)' },
  ),
  chart: { kind: 'line', category: 'count', series: ['byQuantity', 'byCost', 'withinTolerance'], reversed: true },
  async summary({ db, timezone, config }, storeCode) {
    const latest = await db.stockCount.findFirst({ where: { storeCode, status: { in: ['closed', 'approved'] } }, orderBy: { closedAt: 'desc' } });
    if (!latest) return '还没有结束的盘点（店长发「开始盘点」开始）。';
    const lines = await varianceLines(db, [latest.id]);
    return `最近结束的盘点 #${latest.id}（${dateTime(latest.closedAt!, timezone)}，${STATUS_TEXT[latest.status]}）：${accuracyText(lines, config.stockChecks.countTolerance)}。点一行看各商品差异。`;
  },
  async rows({ db, timezone, config }, storeCode) {
    const counts = await db.stockCount.findMany({ where: { storeCode }, orderBy: { id: 'desc' }, take: COUNTS_SHOWN });
    const lines = await varianceLines(
      db,
      counts.map((c) => c.id),
    );
    return counts.map((c) => {
      const own = lines.filter((l) => l.countId === c.id);
      const accuracy = countAccuracy(own, config.stockChecks.countTolerance);
      return {
        id: String(c.id),
        cells: {
          count: `#${c.id}`,
          scope: c.category ?? '全部商品',
          status: STATUS_TEXT[c.status] ?? c.status,
          opened: dateTime(c.openedAt, timezone),
          closed: c.closedAt ? dateTime(c.closedAt, timezone) : null,
          skus: accuracy.skus,
          withinTolerance: own.length ? percentFigure(accuracy.withinTolerance) : null,
          byQuantity: own.length ? percentFigure(accuracy.byQuantity) : null,
          byCost: own.length ? percentFigure(accuracy.byCost) : null,
          costDifference: own.length ? money(own.reduce((sum, l) => sum + variance(l) * l.costPrice, 0)) : null,
        },
      };
    });
  },
  detail: {
    columns: columns(
      { sku: '编码', name: '商品', book: '账面', counted: '实盘', difference: '差异', unit: '单位' },
      { costPrice: '成本价', costDifference: '差异金额(元)', withinTolerance: ['容差内', 'select'] },
    ),
    // The SKUs that cost the most, as bars: the table is sorted by the size of the cost difference.
    chart: { kind: 'bar', category: 'name', series: ['costDifference'], limit: 15 },
    async rows({ db, config }, storeCode, rowId) {
      const tolerance = config.stockChecks.countTolerance;
      const count = /^\d+$/.test(rowId) ? await db.stockCount.findUnique({ where: { id: BigInt(rowId) } }) : null;
      if (!count || count.storeCode !== storeCode) return null;
      const lines = await varianceLines(db, [count.id]);
      const uncounted = await uncountedWithStock(db, count);
      const costOf = (l: (typeof lines)[number]) => variance(l) * l.costPrice;
      lines.sort((a, b) => Math.abs(costOf(b)) - Math.abs(costOf(a)) || a.skuCode.localeCompare(b.skuCode));
      const missed = uncounted.length
        ? `；有库存但没盘到 ${uncounted.length} 项：${uncounted
            .slice(0, 5)
            .map((u) => `${u.name} ${format(u.onHand)}${u.unit}`)
            .join('、')}${uncounted.length > 5 ? ' 等' : ''}`
        : '';
      return {
        title: `盘点 #${count.id}（${count.category ?? '全部商品'}，${STATUS_TEXT[count.status] ?? count.status}）各商品差异`,
        summary: `${accuracyText(lines, tolerance)}${missed}。`,
        rows: lines.map((l) => ({
          id: l.skuCode,
          cells: {
            sku: l.skuCode,
            name: l.name,
            book: format(l.book),
            counted: format(l.counted),
            difference: format(variance(l)),
            unit: l.unit,
            costPrice: money(l.costPrice),
            costDifference: money(costOf(l)),
            withinTolerance: isWithinTolerance(l, tolerance) ? '是' : '否',
          },
        })),
      };
    },
  },
};
