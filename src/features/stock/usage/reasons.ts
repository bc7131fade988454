import type { DbTx } from '../../../db';

/** Why a SKU used more (or less) than its theoretical usage, as staff and managers say it. */
export const USAGE_REASONS = {
  unrecorded_waste: '未记报损',
  portioning: '份量',
  receiving_error: '收货差错',
  count_error: '盘点差错',
  theft: '失窃',
  unmapped_sales: '未映射销售',
} as const;
export type UsageReason = keyof typeof USAGE_REASONS;

export const isUsageReason = (code: string): code is UsageReason => Object.hasOwn(USAGE_REASONS, code);

/** A reason by its words (`份量`) or its code (`portioning`). */
export function readUsageReason(word: string): UsageReason | null {
  const entry = Object.entries(USAGE_REASONS).find(([code, text]) => text === word || code === word);
  return entry ? (entry[0] as UsageReason) : null;
}

export const usageReasonList = () => Object.values(USAGE_REASONS).join('、');

/** The reason each SKU of these periods has now: the latest assignment (`<count id>:<sku>` → reason). */
export async function currentReasons(db: DbTx, countIds: bigint[]): Promise<Map<string, UsageReason>> {
  if (countIds.length === 0) return new Map();
  const rows = await db.$queryRaw<{ count_id: bigint; sku_code: string; reason: UsageReason }[]>`
    SELECT DISTINCT ON (count_id, sku_code) count_id, sku_code, reason
    FROM stock_usage_reason WHERE count_id = ANY(${countIds})
    ORDER BY count_id, sku_code, id DESC`;
  return new Map(rows.map((r) => [periodKey(r.count_id, r.sku_code), r.reason]));
}

export const periodKey = (countId: bigint, skuCode: string) => `${countId}:${skuCode}`;

/**
 * Records a reason for a period's SKU. The table is append-only — a later assignment supersedes
 * an earlier one, and both stay — but the same reason as the current one writes nothing, and a
 * retried message (its external id taken) neither. The period's count is locked first, so two
 * people assigning at once are put one after the other and the later one is the current reason.
 */
export async function assignUsageReason(
  db: DbTx,
  input: { countId: bigint; skuCode: string; reason: UsageReason; by: string; at: Date; source: 'chat' | 'card' | 'console'; externalId: string },
): Promise<'assigned' | 'unchanged'> {
  await db.$queryRaw`SELECT id FROM stock_count WHERE id = ${input.countId} FOR UPDATE`;
  if (await db.stockUsageReason.findUnique({ where: { externalId: input.externalId } })) return 'unchanged';
  const current = await db.stockUsageReason.findFirst({ where: { countId: input.countId, skuCode: input.skuCode }, orderBy: { id: 'desc' } });
  if (current?.reason === input.reason) return 'unchanged';
  await db.stockUsageReason.create({
    data: { countId: input.countId, skuCode: input.skuCode, reason: input.reason, assignedBy: input.by, assignedAt: input.at, source: input.source, externalId: input.externalId },
  });
  return 'assigned';
}
