import crypto from 'node:crypto';
import { z } from 'zod';

/**
 * The rows of the member and order documents, as a POS exports them: CSV with a header line
 * (order lines as `D01:甜品:1:18:7|T02:奶茶:2:30:9`, i.e. sku:category:quantity:amount[:cost]) or
 * JSON objects with the same keys (`lines` then an array of objects). Each schema turns one row
 * into what we store, or says in Chinese what is wrong with it.
 */

const text = (label: string, max = 64) =>
  z
    .string({ error: `缺少${label}` })
    .trim()
    .min(1, `缺少${label}`)
    .max(max, `${label}太长（最多 ${max} 字）`);
const optionalText = (max = 64) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));
/** For a field that is absent or neither text nor a number: what zod would only call "Invalid input". */
const missingOr = (label: string, wrong: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? `缺少${label}` : wrong) });
const money = (label: string) =>
  z.union([z.number(), z.string()], missingOr(label, `${label}必须是不小于 0 的数字`)).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (String(v).trim() === '' || !Number.isFinite(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: `${label}必须是不小于 0 的数字` });
      return z.NEVER;
    }
    return Math.round(n * 100) / 100;
  });
const optIn = z
  .union([z.boolean(), z.string()], missingOr('marketing', 'marketing 只能是 是/否（同意/退订）'))
  .optional()
  .transform((v, ctx) => {
    // Absent means "not said": an update keeps the stored choice, a new member is opted in.
    if (v === undefined || v === '') return undefined;
    if (typeof v === 'boolean') return v;
    const s = v.trim().toLowerCase();
    if (['true', '1', 'yes', '是', 'y', 'in', '同意'].includes(s)) return true;
    if (['false', '0', 'no', '否', 'n', 'out', '退订'].includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: 'marketing 只能是 是/否（同意/退订）' });
    return z.NEVER;
  });
const instant = z.union([z.string(), z.number()], missingOr('下单时间', '下单时间无效：用带时区的 ISO 时间（2026-11-25T10:30:00+08:00）或 unix 秒')).transform((v, ctx) => {
  const s = String(v).trim();
  // A time without an offset is the POS's local time; we require the offset so nothing is guessed.
  const date = /^\d+$/.test(s) ? new Date(Number(s) * 1000) : /(Z|[+-]\d\d:?\d\d)$/.test(s) ? new Date(s) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: `下单时间 ${s} 无效：用带时区的 ISO 时间（2026-11-25T10:30:00+08:00）或 unix 秒` });
    return z.NEVER;
  }
  return date;
});

export const memberRow = z.object({
  code: text('会员编号'),
  name: optionalText(50),
  phone: optionalText(20).pipe(
    z
      .string()
      .regex(/^\+?\d{6,15}$/, '手机号格式不对')
      .optional(),
  ),
  external_userid: optionalText(64),
  owner: optionalText(64),
  home_store: optionalText(32),
  marketing: optIn,
});
export type MemberRow = z.infer<typeof memberRow>;

const orderLine = z.object({
  sku: optionalText(32),
  category: optionalText(32),
  quantity: money('数量'),
  amount: money('行金额'),
  /** Cost of goods of the line, when the POS knows it: what campaign margins are computed from. */
  cost: money('行成本').optional(),
});
export type OrderLine = z.infer<typeof orderLine>;

const lines = z.union([z.string(), z.array(z.unknown())], missingOr('商品行', '商品行应该是文本（sku:品类:数量:金额|…）或数组')).transform((v, ctx) => {
  const raw: unknown[] =
    typeof v === 'string'
      ? v
          .split('|')
          .map((part) => part.trim())
          .filter(Boolean)
          .map((part) => {
            const [sku, category, quantity, amount, cost] = part.split(':');
            return { sku, category, quantity, amount, cost: cost === '' ? undefined : cost };
          })
      : v;
  const parsed: OrderLine[] = [];
  for (const [i, line] of raw.entries()) {
    const result = orderLine.safeParse(line);
    if (result.success) parsed.push(result.data);
    else ctx.addIssue({ code: 'custom', message: `第 ${i + 1} 个商品行：${result.error.issues.map((x) => x.message).join('；')}` });
  }
  return parsed;
});

export const orderRow = z.object({
  order_id: text('订单号'),
  member: text('会员编号'),
  store: text('门店编码', 32),
  ordered_at: instant,
  amount: money('实付金额'),
  discount: money('优惠金额').optional().default(0),
  coupon_code: optionalText(32),
  dwell_seconds: z
    .union([z.number(), z.string()], missingOr('停留时长', '停留时长必须是不小于 0 的整数秒'))
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) {
        ctx.addIssue({ code: 'custom', message: '停留时长必须是不小于 0 的整数秒' });
        return z.NEVER;
      }
      return n;
    }),
  lines: lines.optional().default([]),
});
export type OrderRow = z.infer<typeof orderRow>;

export const MEMBER_KINDS = { members: memberRow, orders: orderRow } as const;
export type MemberKind = keyof typeof MEMBER_KINDS;

/** The columns a file of this kind must have: the fields its rows cannot do without. */
export function requiredColumns(kind: MemberKind): string[] {
  const shape: Record<string, z.ZodType> = MEMBER_KINDS[kind].shape;
  return Object.keys(shape).filter((key) => !shape[key].safeParse(undefined).success);
}

/** HMAC-SHA256 of the phone's digits with the configured pepper: matchable, not reversible without it. */
export function hashPhone(pepper: string, phone: string): string {
  const digits = phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');
  return crypto.createHmac('sha256', pepper).update(digits).digest('hex');
}
