import type { DbTx } from '../../../db';
import { formatPercent } from '../../../percent';
import { templateCard, type OutboundContent } from '../../../platform/outbound';
import { chainTimeText } from '../../../timezone';
import { format } from '../ledger';
import { byVarianceCost, shareOfSales, usageLines, type UsageLine } from './periods';
import { currentReasons, periodKey, USAGE_REASONS, usageReasonList, type UsageReason } from './reasons';
import { USAGE_CARDS } from './keys';

/** Lines of the chat report; the console has them all. */
const REPORT_LINES = 10;
/** WeCom's multiple_interaction card takes at most three selects. */
const CARD_LINES = 3;

export const signedQuantity = (n: number) => (n > 0 ? `+${format(n)}` : format(n));
export const signedMoney = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}¥${Math.abs(n).toFixed(2)}`;
export const shareText = (share: number | null) => (share === null ? '—' : formatPercent(share));

/** The period of one closing count, its lines largest variance first, each with its reason. */
export interface UsageReport {
  count: { id: bigint; storeCode: string; closedAt: Date };
  lines: UsageLine[];
  reasons: Map<string, UsageReason>;
  /** SKUs this count counted that no earlier approved count did: no period yet. */
  firstCounted: number;
}

export async function usageReportOf(db: DbTx, count: { id: bigint; storeCode: string; closedAt: Date | null }): Promise<UsageReport> {
  const lines = (await usageLines(db, { countIds: [count.id] })).sort(byVarianceCost);
  const counted = await db.stockCountEntry.findMany({ where: { countId: count.id }, distinct: ['skuCode'], select: { skuCode: true } });
  return { count: { ...count, closedAt: count.closedAt! }, lines, reasons: await currentReasons(db, [count.id]), firstCounted: counted.length - lines.length };
}

/** The store's latest approved count that closes a period of some SKU, as a report; null when none does yet. */
export async function latestUsageReport(db: DbTx, storeCode: string): Promise<UsageReport | null> {
  const counts = await db.stockCount.findMany({ where: { storeCode, status: 'approved' }, orderBy: { id: 'desc' }, take: 2 });
  // The store's first approved count opens periods and closes none.
  for (const count of counts) {
    const report = await usageReportOf(db, count);
    if (report.lines.length > 0) return report;
  }
  return null;
}

/** The sales set against a report's total: of its lines' widest window (all lines share one when each count counts everything). */
export function reportTotals(report: UsageReport) {
  const sum = (pick: (l: UsageLine) => number) => report.lines.reduce((s, l) => s + pick(l), 0);
  const widest = report.lines.reduce<UsageLine | null>((w, l) => (!w || l.openingClosedAt < w.openingClosedAt ? l : w), null);
  const varianceCost = sum((l) => l.varianceCost);
  return {
    theoreticalCost: sum((l) => l.theoreticalCost),
    actualCost: sum((l) => l.actualCost),
    varianceCost,
    share: shareOfSales(varianceCost, widest?.revenue ?? null),
    opensWith: widest?.openingCountId ?? null,
    opensAt: widest?.openingClosedAt ?? null,
  };
}

export const reasonText = (report: UsageReport, line: UsageLine) => {
  const reason = report.reasons.get(periodKey(line.countId, line.skuCode));
  return reason ? USAGE_REASONS[reason] : '未填';
};

/** The report in chat: the totals, the largest variances by money, and how to give each its reason; and the card for the top three. */
export function usageReportMessages(report: UsageReport, storeName: string, timezone: string): (string | OutboundContent)[] {
  const totals = reportTotals(report);
  const differing = report.lines.filter((l) => l.variance !== 0);
  const rows = differing
    .slice(0, REPORT_LINES)
    .map(
      (l, i) =>
        `${i + 1}. ${l.name} 理论 ${format(l.theoretical)}${l.unit} 实际 ${format(l.actual)}${l.unit} 差 ${signedQuantity(l.variance)}${l.unit}（${signedMoney(l.varianceCost)}，占销售 ${shareText(shareOfSales(l.varianceCost, l.revenue))}）原因：${reasonText(report, l)}`,
    );
  const text = [
    `${storeName} 用量报告（盘点 #${totals.opensWith} → #${report.count.id}，${chainTimeText(totals.opensAt!, timezone)} 至 ${chainTimeText(report.count.closedAt, timezone)}）：${report.lines.length} 个商品。`,
    `理论用量 ¥${totals.theoreticalCost.toFixed(2)}，实际用量 ¥${totals.actualCost.toFixed(2)}，差异 ${signedMoney(totals.varianceCost)}（占销售 ${shareText(totals.share)}）。`,
    differing.length
      ? `差异最大的${differing.length > REPORT_LINES ? ` ${REPORT_LINES} 个（共 ${differing.length} 个）` : ` ${differing.length} 个`}（按金额排；差 > 0 是多用了）：`
      : '所有商品实际用量与理论用量一致。',
    ...rows,
    ...(report.firstCounted > 0 ? [`另有 ${report.firstCounted} 个商品是第一次盘点，没有上一期，不计。`] : []),
    ...(differing.length ? [`填差异原因：在卡片里选，或发「差异原因 ${differing[0].name} 份量」（${usageReasonList()}）。`] : []),
  ].join('\n');
  if (differing.length === 0) return [text];
  return [text, reasonCard(report, differing.slice(0, CARD_LINES))];
}

function reasonCard(report: UsageReport, lines: UsageLine[]): OutboundContent {
  const options = Object.entries(USAGE_REASONS).map(([id, text]) => ({ id, text }));
  return templateCard({
    card_type: 'multiple_interaction',
    main_title: { title: `盘点 #${report.count.id} 用量差异原因`, desc: '差异金额最大的商品，逐个选原因后点「提交」' },
    select_list: lines.map((l) => {
      const current = report.reasons.get(periodKey(l.countId, l.skuCode));
      return { question_key: l.skuCode, title: `${l.name} ${signedQuantity(l.variance)}${l.unit}`, option_list: options, ...(current ? { selected_id: current } : {}) };
    }),
    submit_button: { text: '提交', key: `${USAGE_CARDS.assignReasons}:${report.count.id}` },
  });
}
