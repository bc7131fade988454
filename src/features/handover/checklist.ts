import { z } from 'zod';
import { toNumber } from '../../bot/numbers';

/**
 * The handover checklist as data: what to check at shift change, how each answer is judged,
 * the hints new staff see, and whom a fault goes to. Pure rules, no database.
 */

const key = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'key 只能用小写字母、数字和下划线，以字母开头');
const userid = z.string().min(1).max(64);

/** What a new colleague needs to do an item right: where to look, what good looks like, a reference photo. */
const hint = z
  .object({
    where: z.string().max(120).optional(),
    good: z.string().max(120).optional(),
    photoUrl: z.url().optional(),
  })
  .strict();

const base = {
  key,
  label: z.string().min(1).max(20),
  /** An equipment kind (`ice_machine`): a fault on this item opens a work order for it. */
  equipment: key.optional(),
  hint: hint.optional(),
};

const yesNo = z.object({ ...base, kind: z.literal('yes_no'), question: z.string().max(60).optional() }).strict();
const numberItem = z
  .object({
    ...base,
    kind: z.literal('number'),
    unit: z.string().max(6).default(''),
    min: z.number().optional(),
    max: z.number().optional(),
    /** The value it should be (the cash float); a difference beyond `tolerance` is flagged. */
    expected: z.number().optional(),
    tolerance: z.number().min(0).default(0),
    /** Cash: a difference beyond tolerance pings the store manager. */
    cash: z.boolean().default(false),
  })
  .strict()
  .refine((i) => i.min === undefined || i.max === undefined || i.min <= i.max, { message: 'min 不能大于 max' });
const photo = z.object({ ...base, kind: z.literal('photo'), minPhotos: z.number().int().min(1).max(9).default(1) }).strict();
const textItem = z.object({ ...base, kind: z.literal('text') }).strict();
/** Key materials: each SKU counted and compared with the book (stock_balance). */
const skuCount = z.object({ ...base, kind: z.literal('sku_count'), skus: z.array(z.string().min(1)).min(1).max(10), tolerance: z.number().min(0).default(0) }).strict();

export const checklistItem = z.union([yesNo, numberItem, photo, textItem, skuCount]);
export type ChecklistItem = z.infer<typeof checklistItem>;

const slaHours = z.object({ ackHours: z.number().positive(), closeHours: z.number().positive() }).strict();

export const checklistTemplate = z
  .object({
    name: z.string().min(1).max(40),
    items: z.array(checklistItem).min(1).max(40),
    /** The incoming colleague has this long to confirm before the store manager is pinged. */
    confirmWithinMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .default(30),
    /** Equipment kind → display name (制冰机), for work orders and 报修 text. */
    equipment: z.record(key, z.string().min(1).max(20)).default({}),
    /** Who repairs what: per equipment kind, else the default (besides the store manager). */
    maintenance: z
      .object({ default: userid.optional(), byEquipment: z.record(key, userid).default({}) })
      .strict()
      .default({ byEquipment: {} }),
    /** Acknowledge and close a work order within these hours, by priority; late ones go to the area manager. */
    workOrderSla: z
      .object({ high: slaHours, normal: slaHours, low: slaHours })
      .strict()
      .default({ high: { ackHours: 1, closeHours: 24 }, normal: { ackHours: 4, closeHours: 72 }, low: { ackHours: 24, closeHours: 168 } }),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.items.forEach((item, i) => {
      if (seen.has(item.key)) ctx.addIssue({ code: 'custom', path: ['items', i, 'key'], message: `清单项 key「${item.key}」重复` });
      seen.add(item.key);
    });
  });
export type ChecklistTemplate = z.infer<typeof checklistTemplate>;

/** The import document: a template for one store, or (no store) the chain default. */
export const checklistDocument = z.object({ store: z.string().min(1).optional() }).passthrough();

/** One question asked at handover: an item, or one SKU of a counted item. */
export interface Question {
  itemKey: string;
  kind: ChecklistItem['kind'];
  label: string;
  /** For a counted SKU: its code. */
  sku?: string;
}

/** The questions of a template in order; a counted item asks once per SKU (labelled with the SKU's name). */
export function questionsOf(template: ChecklistTemplate, skuNames: Map<string, string>): Question[] {
  return template.items.flatMap((item): Question[] =>
    item.kind === 'sku_count'
      ? item.skus.map((sku) => ({ itemKey: `${item.key}/${sku}`, kind: item.kind, label: `${item.label}·${skuNames.get(sku) ?? sku}`, sku }))
      : [{ itemKey: item.key, kind: item.kind, label: item.label }],
  );
}

export function itemFor(template: ChecklistTemplate, itemKey: string): ChecklistItem {
  const found = template.items.find((i) => i.key === itemKey.split('/')[0]);
  if (!found) throw new Error(`template has no item ${itemKey}`);
  return found;
}

export interface Judgement {
  status: 'ok' | 'flagged';
  /** Why it is flagged, in Chinese, for cards and the manager. */
  finding?: string;
  /** A cash difference beyond tolerance: the store manager is pinged. */
  cashDifference?: number;
  /** The item names equipment and the answer says it is faulty or out of range: a work order. */
  fault?: boolean;
}

const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

/** Judges a number against the item's range or expected value (the book, for a counted SKU). */
export function judgeNumber(item: ChecklistItem, value: number, book?: number): Judgement {
  if (item.kind === 'sku_count') {
    const diff = value - (book ?? 0);
    if (Math.abs(diff) <= item.tolerance) return { status: 'ok' };
    return { status: 'flagged', finding: `与账面 ${fmt(book ?? 0)} 相差 ${diff > 0 ? '+' : ''}${fmt(diff)}` };
  }
  if (item.kind !== 'number') throw new Error(`${item.key} is not a number item`);
  if (item.min !== undefined && value < item.min) return { status: 'flagged', finding: `低于下限 ${fmt(item.min)}${item.unit}`, fault: !!item.equipment };
  if (item.max !== undefined && value > item.max) return { status: 'flagged', finding: `高于上限 ${fmt(item.max)}${item.unit}`, fault: !!item.equipment };
  if (item.expected !== undefined) {
    const diff = value - item.expected;
    if (Math.abs(diff) > item.tolerance + 1e-9) {
      return { status: 'flagged', finding: `应为 ${fmt(item.expected)}${item.unit}，差 ${diff > 0 ? '+' : ''}${fmt(diff)}${item.unit}`, cashDifference: item.cash ? diff : undefined };
    }
  }
  return { status: 'ok' };
}

/** 正常 is ok; 异常 is flagged, and a fault when the item names equipment. */
export function judgeYesNo(item: ChecklistItem, yes: boolean): Judgement {
  if (yes) return { status: 'ok' };
  return { status: 'flagged', finding: '异常', fault: !!item.equipment };
}

const CHAT_NUMBER = /^\s*([-+－−负]?)\s*(\d[\d,]*(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)\s*(元|块|度|℃|°C|°|盒|袋|个|瓶|罐|桶|箱|包|斤|公斤|kg|g|L|ml)?(?:钱|整)?\s*$/i;

/** Units that mean the same in an answer: 块 is 元, 度 is ℃. */
const SAME_UNIT: Record<string, string> = { 块: '元', 度: '℃', '°c': '℃', '°': '℃', 公斤: 'kg' };
const canonicalUnit = (unit: string) => SAME_UNIT[unit.toLowerCase()] ?? unit.toLowerCase();

/**
 * A number typed in chat: `1234.5`, `1,234`, `５００`, `5元`, `-2℃`, `五百`, `一千二`, `三百五十块`,
 * `钱箱500` (the item's own name before it), `2箱` of a SKU in its pack unit. Null when it is not
 * one, or when it names a unit other than the item's or its packs (`500箱` for cash in 元).
 */
export function readNumber(text: string, item: { unit?: string; label?: string; packs?: { unit: string; factor: number }[] } = {}): number | null {
  let clean = text.normalize('NFKC').trim();
  const lead = /^\p{Script=Han}{2,}/u.exec(clean)?.[0];
  if (lead && item.label?.includes(lead)) clean = clean.slice(lead.length);
  const m = CHAT_NUMBER.exec(clean);
  if (!m) return null;
  // `2箱` of a SKU counted in 盒: its pack's factor.
  const factor = m[3] && item.unit && canonicalUnit(m[3]) !== canonicalUnit(item.unit) ? item.packs?.find((p) => p.unit === m[3])?.factor : 1;
  if (factor === undefined) return null;
  const magnitude = /^\d/.test(m[2]) ? Number(m[2].replace(/,/g, '')) : toNumber(m[2]);
  if (magnitude === null || !Number.isFinite(magnitude)) return null;
  return (m[1] && m[1] !== '+' ? -magnitude : magnitude) * factor;
}

/** An answer this many times what the item should be is a slip of the keyboard (50000 for a 500 float). */
const ABSURD_MULTIPLE = 100;
/** Beyond this many widths of its range outside the range, a reading cannot be real (200℃ for a 0–8℃ fridge). */
const ABSURD_WIDTHS = 5;

/**
 * Whether a typed number can be the answer at all, before it is judged: cash and counts are never
 * negative, and nothing is absurdly far from what the item expects — over 100 × the expected value
 * (or the book, for a counted SKU, at least 1000), or more than 5 widths of its min–max range
 * outside it. Returns why not, in Chinese, with what is expected; null when it can be.
 */
export function implausibleAnswer(item: ChecklistItem, value: number, label: string, unit: string, book?: number): string | null {
  const typed = `${fmt(value)}${unit}`;
  const recheck = `请核对后重新回复数字，例如：${exampleAnswer(item)}`;
  if ((item.kind === 'sku_count' || (item.kind === 'number' && item.cash)) && value < 0) return `「${label}」不能是负数（你填的是 ${typed}）。${recheck}`;
  if (item.kind === 'sku_count') {
    const ceiling = Math.max((book ?? 0) * ABSURD_MULTIPLE, 1000);
    return value > ceiling ? `「${label}」填的是 ${typed}，不太可能。${recheck}` : null;
  }
  if (item.kind !== 'number') return null;
  if (item.expected !== undefined && item.expected > 0 && value > item.expected * ABSURD_MULTIPLE) return `「${label}」填的是 ${typed}，不太可能（应为 ${fmt(item.expected)}${unit} 左右）。${recheck}`;
  if (item.min !== undefined || item.max !== undefined) {
    const width = item.min !== undefined && item.max !== undefined ? Math.max(item.max - item.min, 1) : Math.max(Math.abs(item.min ?? item.max ?? 0), 10);
    const tooLow = item.min !== undefined && value < item.min - ABSURD_WIDTHS * width;
    const tooHigh = item.max !== undefined && value > item.max + ABSURD_WIDTHS * width;
    if (tooLow || tooHigh) return `「${label}」填的是 ${typed}，不太可能（正常 ${rangeText(item)}）。${recheck}`;
  }
  return null;
}

/** What a sensible answer to a number item looks like, for the examples in answers: the expected value, the middle of the range, the book. */
/** An example answer; never the book for a counted SKU, which the colleague counts without being told it. */
export function exampleAnswer(item: ChecklistItem): string {
  if (item.kind !== 'number') return '12';
  if (item.expected !== undefined) return fmt(item.expected);
  if (item.min !== undefined && item.max !== undefined) return fmt(Math.round((item.min + item.max) / 2));
  return fmt(item.min ?? item.max ?? 12);
}

function rangeText(item: Extract<ChecklistItem, { kind: 'number' }>): string {
  if (item.min !== undefined && item.max !== undefined) return `${fmt(item.min)}–${fmt(item.max)}${item.unit}`;
  return item.min !== undefined ? `不低于 ${fmt(item.min)}${item.unit}` : `不高于 ${fmt(item.max!)}${item.unit}`;
}

/** Readable problems from a failed parse, each with where it is (`items.3.min: …`). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
}
