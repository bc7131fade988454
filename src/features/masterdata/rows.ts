import { z } from 'zod';
import { ROLES, type Role } from '../../people';

/**
 * The rows of the master-data files, as the chain's admin exports them (CSV with a header line,
 * or a JSON array of objects with the same keys). Each schema turns one row into what we store,
 * or says in Chinese what is wrong with it.
 */

/** What is wrong with a row of a master-data file, and where. */
export interface ImportProblem {
  /** CSV: the line in the file; JSON: the element's position (1-based). */
  line: number;
  message: string;
}

const text = (label: string, max = 100) =>
  z
    .string({ error: `缺少${label}` })
    .trim()
    .min(1, `缺少${label}`)
    .max(max, `${label}太长（最多 ${max} 字）`);
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));
const list = (value: string | undefined) =>
  (value ?? '')
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean);
const yesNo = (label: string, fallback: boolean) =>
  z
    .union([z.boolean(), z.string()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (typeof v === 'boolean') return v;
      if (['true', '1', 'yes', '是', 'y'].includes(v.trim().toLowerCase())) return true;
      if (['false', '0', 'no', '否', 'n'].includes(v.trim().toLowerCase())) return false;
      ctx.addIssue({ code: 'custom', message: `${label}只能是 是/否（true/false）` });
      return z.NEVER;
    });
/**
 * A number that may be left empty (null: the field falls back to a wider setting, or does not
 * apply), within [min, max], whole when `integer`; `unit` may follow it (`2%`, `7天`). `range` is
 * what a value out of bounds is told; by default the bound it crossed.
 */
const optionalNumber = (label: string, opts: { min?: number; max?: number; integer?: boolean; unit?: string; range?: string } = {}) =>
  z
    .union([z.number(), z.string(), z.null()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === null || String(v).trim() === '') return null;
      const text = String(v).trim();
      const n = typeof v === 'number' ? v : Number(opts.unit && text.endsWith(opts.unit) ? text.slice(0, -opts.unit.length) : text);
      const within = (opts.min === undefined || n >= opts.min) && (opts.max === undefined || n <= opts.max) && (!opts.integer || Number.isInteger(n));
      if (Number.isFinite(n) && within) return n;
      ctx.addIssue({ code: 'custom', message: opts.range ?? (Number.isFinite(n) ? `${label}不能小于 ${opts.min}` : `${label}必须是数字`) });
      return z.NEVER;
    });
/** A percentage 0–100 (`2` or `2%`), or nothing: the setting falls back to a wider one. */
const optionalPercent = (label: string) => optionalNumber(label, { min: 0, max: 100, unit: '%', range: `${label}必须是 0–100 的百分数（如 2 或 2%），或留空` });
const number = (label: string, opts: { positive?: boolean } = {}) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (String(v).trim() === '' || !Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `${label}必须是数字` });
      return z.NEVER;
    }
    if (n < 0 || (opts.positive && n === 0)) {
      ctx.addIssue({ code: 'custom', message: `${label}必须${opts.positive ? '大于 0' : '不小于 0'}` });
      return z.NEVER;
    }
    return n;
  });

/** Other names staff use in chat: a JSON array, or CSV text separated by `|` (`鲜奶|纯牛奶`). */
const aliases = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (Array.isArray(v) ? v.map((s) => s.trim()).filter(Boolean) : list(v)));

const ROLE_BY_NAME = Object.fromEntries(
  (Object.entries(ROLES) as [Role, string][]).flatMap(([k, v]) => [
    [k, k],
    [v, k],
  ]),
) as Record<string, Role>;

export const storeRow = z.object({
  code: text('门店编码', 32),
  name: text('门店名称'),
  area: optionalText,
  aliases,
});

export const staffRow = z
  .object({
    userid: text('企业微信 userid', 64).pipe(z.string().regex(/^[A-Za-z0-9_.@-]+$/, 'userid 只能包含字母、数字和 _ . @ -')),
    name: text('姓名', 64),
    store: optionalText,
    role: z.string({ error: '缺少角色' }).transform((v, ctx) => {
      const role = ROLE_BY_NAME[v.trim()];
      if (!role) {
        ctx.addIssue({ code: 'custom', message: `角色「${v}」不认识，可用：${Object.values(ROLES).join('、')}（或 ${Object.keys(ROLES).join(', ')}）` });
        return z.NEVER;
      }
      return role;
    }),
    area: optionalText,
    hire_date: optionalText.pipe(
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, '入职日期格式应为 2026-03-01')
        .optional(),
    ),
    active: yesNo('在职', true),
  })
  .superRefine((row, ctx) => {
    if ((row.role === 'staff' || row.role === 'store_manager') && !row.store) ctx.addIssue({ code: 'custom', message: `${ROLES[row.role]}必须填写所属门店（store）` });
    if (row.role === 'area_manager' && !row.area) ctx.addIssue({ code: 'custom', message: '区域经理必须填写负责区域（area）' });
  });

/**
 * A list of pairs: a JSON array of objects as sent, or CSV text of `|`-separated entries, each
 * split at `separator` into its parts (`箱=12|袋=6`, `6901234567890@箱`). The first entry
 * `problem` finds fault with refuses the field, with its message.
 */
function pairList<Item>(json: z.ZodType<Item[]>, separator: string, fromText: (parts: string[]) => Item, problem: (item: Item) => string | null) {
  return z
    .union([z.string(), json])
    .optional()
    .transform((v, ctx) => {
      const items = typeof v === 'string' || v === undefined ? list(v).map((entry) => fromText(entry.split(separator).map((s) => s.trim()))) : v;
      const wrong = items.map(problem).find((message) => message !== null);
      if (!wrong) return items;
      ctx.addIssue({ code: 'custom', message: wrong });
      return z.NEVER;
    });
}

const packUnits = pairList(
  z.array(z.object({ unit: z.string(), factor: z.number() })),
  '=',
  ([unit, factor]) => ({ unit, factor: Number(factor) }),
  (p) => (!p.unit || !Number.isFinite(p.factor) || p.factor <= 0 ? '包装单位写法：箱=12|袋=6（单位=含多少个基本单位）' : null),
);

const barcodes = pairList(
  z.array(z.object({ barcode: z.string(), unit: z.string().optional() })),
  '@',
  ([barcode, unit]) => ({ barcode, unit: unit || undefined }),
  (b) => (/^[0-9A-Za-z-]{4,48}$/.test(b.barcode) ? null : `条码「${b.barcode}」不对：4–48 位字母数字`),
);

export const skuRow = z
  .object({
    code: text('商品编码', 48),
    name: text('商品名称'),
    aliases,
    category: text('分类', 32),
    base_unit: text('基本单位', 8),
    pack_units: packUnits,
    cost_price: number('成本价'),
    barcodes,
    allow_negative: yesNo('允许负库存', false),
    count_tolerance_percent: optionalPercent('盘点容差'),
    supplier: optionalText.pipe(z.string().max(64, '供应商太长（最多 64 字）').optional()),
    lead_time_days: optionalNumber('到货天数 lead_time_days', { min: 0, max: 365, integer: true, range: '到货天数 lead_time_days必须是 0–365 的整数天，或留空' }),
    /** Empty: no shelf life, so batches received without an expiry have none; 0: it expires the day it comes in. */
    shelf_life_days: optionalNumber('保质期天数', { min: 0, max: 3650, integer: true, unit: '天', range: '保质期天数必须是 0–3650 的整数天数（如 7 或 7天），或留空' }),
  })
  .superRefine((row, ctx) => {
    const units = [row.base_unit, ...row.pack_units.map((p) => p.unit)];
    if (new Set(units).size !== units.length) ctx.addIssue({ code: 'custom', message: '包装单位不能与基本单位或彼此重名' });
    for (const b of row.barcodes) {
      if (b.unit && !units.includes(b.unit)) ctx.addIssue({ code: 'custom', message: `条码 ${b.barcode} 的单位「${b.unit}」不是这个商品的单位` });
    }
  });

export const skuSettingRow = z.object({
  store: text('门店编码', 32),
  sku: text('商品编码', 48),
  safety_stock: number('安全库存'),
  max_daily_loss: number('每日报损上限'),
  par_level: optionalNumber('标准库存 par_level', { min: 0 }),
});

const localTime = (label: string) => text(label, 40).pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/, `${label}格式应为 2026-11-26 08:00（连锁所在时区），或带时区的 ISO 时间`));

/** A shift: times are the chain's wall clock (APP_TIMEZONE) unless they carry an offset. */
export const shiftRow = z.object({
  store_code: text('门店编码', 32),
  userid: text('企业微信 userid', 64),
  starts_at: localTime('上班时间'),
  ends_at: localTime('下班时间'),
  /** 否 withdraws a shift imported before. */
  active: yesNo('有效', true),
});

/** A menu item the till sells, by the POS's item code. */
export const menuItemRow = z.object({
  code: text('菜单编码', 48),
  name: text('菜单名称'),
  aliases,
  category: optionalText,
  price: optionalNumber('售价', { min: 0 }),
});

/** Every base line of a recipe, for a modifier's scale (`大杯,*,,1.5`). */
export const ALL_LINES = '*';

/**
 * One line of a recipe version: the rows of a product, store and valid-from together are one
 * version (recipes.ts). A base line (no modifier) adds an ingredient; a modifier's line adds
 * (`quantity`, negative takes away) or scales a base line (`factor`; `*` scales them all).
 */
export const recipeRow = z
  .object({
    product: text('产品编码', 48),
    store: optionalText,
    valid_from: optionalText.pipe(
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}.*)?$/, '生效时间 valid_from 格式应为 2026-12-01 或 2026-12-01 14:00（连锁所在时区），或带时区的 ISO 时间')
        .optional(),
    ),
    yield: optionalNumber('出品量 yield', { min: 0 }),
    batch_unit: optionalText,
    modifier: optionalText.transform((v) => v ?? ''),
    sku: text('原料编码 sku', 48),
    quantity: optionalNumber('用量 quantity'),
    factor: optionalNumber('倍数 factor', { min: 0 }),
  })
  .superRefine((row, ctx) => {
    if ((row.quantity === null) === (row.factor === null)) ctx.addIssue({ code: 'custom', message: '用量 quantity 和倍数 factor 要填一个，且只填一个' });
    else if (!row.modifier && row.factor !== null) ctx.addIssue({ code: 'custom', message: '基础配方行（没有 modifier）要填用量 quantity；倍数 factor 只用于加料/规格' });
    else if (!row.modifier && !(row.quantity! > 0)) ctx.addIssue({ code: 'custom', message: '基础配方行的用量 quantity 必须大于 0' });
    if (row.sku === ALL_LINES && row.factor === null) ctx.addIssue({ code: 'custom', message: `原料「${ALL_LINES}」（全部基础原料）只能配倍数 factor` });
    if (row.yield === 0) ctx.addIssue({ code: 'custom', message: '出品量 yield 必须大于 0' });
  });

export const KINDS = {
  stores: storeRow,
  staff: staffRow,
  skus: skuRow,
  'sku-settings': skuSettingRow,
  shifts: shiftRow,
  'menu-items': menuItemRow,
  recipes: recipeRow,
} as const;
export type Kind = keyof typeof KINDS;
