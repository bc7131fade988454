/**
 * The stock-message parser of the previous release (commit 1484bc8, before issue 14), kept
 * unchanged as the baseline `npm run bench:parse` measures beside the current one. Not used by the bot.
 */
/**
 * Reads a stock message typed in chat — `入库 奶油 20箱`, `收到牛奶两箱`, `报损 牛奶 2盒 过期`,
 * `退货 珍珠 1箱 给供应商 质量问题`, `调拨 奶油 5箱 到 二店`, `盘点 奶油 18盒`, `查库存 奶油`, `撤销` —
 * without a language model. It finds the
 * verb, the quantity (digits or Chinese numerals) and the unit, and matches the words before the
 * quantity against SKU names, aliases and codes; several matches, or none, are reported as such,
 * never guessed.
 */

export type MoveKind = 'receipt' | 'waste' | 'return';
/** Every command that carries a SKU and a quantity: moves, transfers (`调拨`) and count entries (`盘点`). */
export type QuantityVerb = MoveKind | 'transfer' | 'count';

export interface CatalogueSku {
  code: string;
  name: string;
  aliases: string[];
  baseUnit: string;
  packUnits: { unit: string; factor: number }[];
}

export type SkuMatch = { kind: 'found'; sku: CatalogueSku } | { kind: 'ambiguous'; candidates: CatalogueSku[] } | { kind: 'unknown'; text: string };

export type StockCommand =
  | { kind: QuantityVerb; sku: SkuMatch; amount: number; unit: string; baseQuantity: number | null; note: string; toStoreText?: string }
  | { kind: 'query'; sku: SkuMatch }
  | { kind: 'undo' }
  | { kind: 'incomplete'; verb: QuantityVerb; problem: 'quantity' | 'unit' | 'store'; sku: SkuMatch | null; unitText?: string };

const VERBS: [string, QuantityVerb | 'query' | 'undo'][] = [
  ['查库存', 'query'],
  ['库存', 'query'],
  ['撤销', 'undo'],
  ['入库', 'receipt'],
  ['收到', 'receipt'],
  ['到货', 'receipt'],
  ['进货', 'receipt'],
  ['报损', 'waste'],
  ['损耗', 'waste'],
  ['退货', 'return'],
  ['调拨', 'transfer'],
  ['盘点', 'count'],
];

/** `… 到 二店`, `…调往滨江路`, `… 给 S002`: the receiving store is what follows the last of these words. */
const DESTINATION = /^(.*\S)\s*(?:调往|调到|到|至|给|→)\s*(\S.*)$/u;

const QUANTITY = /(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)\s*/gu;
/** A minus sign (ASCII, full-width or typographic) just before a quantity. */
const MINUS_BEFORE = /[-－−]\s*$/u;

/** `chosen`: the SKU the person picked when asked which one they meant. */
export function parseStockCommand(text: string, catalogue: CatalogueSku[], chosen?: CatalogueSku): StockCommand | null {
  const clean = text.replace(/\u3000/g, ' ').trim();
  const verb = VERBS.find(([word]) => clean.startsWith(word));
  if (!verb) return null;
  const [word, kind] = verb;
  let rest = clean.slice(word.length).trim();
  if (kind === 'undo') return { kind: 'undo' };
  if (kind === 'query') return { kind: 'query', sku: matchSku(rest, catalogue) };
  let toStoreText: string | undefined;
  if (kind === 'transfer') {
    const destination = DESTINATION.exec(rest);
    if (!destination) return { kind: 'incomplete', verb: kind, problem: 'store', sku: rest ? matchSku(rest.replace(QUANTITY_AND_AFTER, ''), catalogue) : null };
    rest = destination[1].trim();
    toStoreText = destination[2].trim();
  }

  // A SKU name may hold digits or numerals (`500ml杯 3条`): the quantity is the first number
  // whose preceding words name a SKU, else the first number.
  const numbers = [...rest.matchAll(QUANTITY)];
  if (numbers.length === 0) return { kind: 'incomplete', verb: kind, problem: 'quantity', sku: rest ? matchSku(rest, catalogue) : null };
  const skuAt = (index: number): SkuMatch => (chosen ? { kind: 'found', sku: chosen } : matchSku(rest.slice(0, index).replace(MINUS_BEFORE, '').trim(), catalogue));
  const q = numbers.find((n) => skuAt(n.index).kind === 'found') ?? numbers[0];
  // `报损 牛奶 -3盒` is read as −3, which the booking refuses, never silently as 3.
  const magnitude = toNumber(q[1]);
  const amount = magnitude !== null && MINUS_BEFORE.test(rest.slice(0, q.index)) ? -magnitude : magnitude;
  const sku = skuAt(q.index);
  if (amount === null) return { kind: 'incomplete', verb: kind, problem: 'quantity', sku };
  const after = rest.slice(q.index + q[0].length);
  const units = sku.kind === 'found' ? [sku.sku.baseUnit, ...sku.sku.packUnits.map((p) => p.unit)] : [];
  const unit = units.sort((a, b) => b.length - a.length).find((u) => after.startsWith(u));
  const note = (unit ? after.slice(unit.length) : after).replace(/^\s*给供应商\s*/, '').trim();
  if (sku.kind === 'found' && !unit && /^[\p{Script=Han}A-Za-z]/u.test(after)) {
    // A unit this SKU does not have (`牛奶 2桶`): ask, do not book it as base units.
    return { kind: 'incomplete', verb: kind, problem: 'unit', sku, unitText: after.trim().slice(0, 2) };
  }
  const unitUsed = unit ?? (sku.kind === 'found' ? sku.sku.baseUnit : '');
  const baseQuantity = sku.kind === 'found' ? amount * factorOf(sku.sku, unitUsed) : null;
  return { kind, sku, amount, unit: unitUsed, baseQuantity, note, ...(toStoreText ? { toStoreText } : {}) };
}

const QUANTITY_AND_AFTER = /\s*(\d|[零〇一二两三四五六七八九十百千]).*$/u;

/** A message that starts with a quantity (`18`, `两箱`, `4箱 压坏1箱`, `2 过期`): an answer to "how many?". */
export const BARE_QUANTITY = /^(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)(?=$|\s|[^\d零〇一二两三四五六七八九十百千])(?!\s*[零〇一二两三四五六七八九十百千\d])/u;

/**
 * Reads a bare quantity for a SKU already known (after a scan, or for a transfer being
 * received): the amount, its unit (`defaultUnit`, the scanned one, when none is given) and what
 * follows as a note. null when it is not a quantity, or names a unit the SKU does not have.
 */
export function readQuantity(text: string, sku: CatalogueSku, defaultUnit = sku.baseUnit): { amount: number; unit: string; baseQuantity: number; note: string } | null {
  const clean = text.replace(/\u3000/g, ' ').trim();
  const m = BARE_QUANTITY.exec(clean);
  const amount = m ? toNumber(m[1]) : null;
  if (!m || amount === null) return null;
  const after = clean.slice(m[0].length);
  const units = [sku.baseUnit, ...sku.packUnits.map((p) => p.unit)].sort((a, b) => b.length - a.length);
  const unit = units.find((u) => after.startsWith(u));
  // `2桶`: a unit this SKU does not have. `2 过期`: no unit, and a note.
  if (!unit && /^[\p{Script=Han}A-Za-z]/u.test(after)) return null;
  const used = unit ?? defaultUnit;
  return { amount, unit: used, baseQuantity: amount * factorOf(sku, used), note: (unit ? after.slice(unit.length) : after).trim() };
}

export function factorOf(sku: CatalogueSku, unit: string): number {
  return unit === sku.baseUnit ? 1 : (sku.packUnits.find((p) => p.unit === unit)?.factor ?? 1);
}

/** Exact name, alias or code first; then names containing the text; then one-character slips. */
export function matchSku(text: string, catalogue: CatalogueSku[]): SkuMatch {
  const t = text.trim();
  if (!t) return { kind: 'unknown', text: t };
  const exact = catalogue.filter((s) => s.name === t || s.aliases.includes(t) || s.code.toLowerCase() === t.toLowerCase());
  if (exact.length === 1) return { kind: 'found', sku: exact[0] };
  const containing = exact.length > 1 ? exact : catalogue.filter((s) => [s.name, ...s.aliases].some((n) => n.includes(t) || (t.length >= 2 && t.includes(n))));
  if (containing.length === 1) return { kind: 'found', sku: containing[0] };
  if (containing.length > 1) return { kind: 'ambiguous', candidates: containing.slice(0, 6) };
  const near = catalogue.filter((s) => [s.name, ...s.aliases].some((n) => n.length >= 2 && editDistance(n, t) === 1));
  // A near miss is never booked silently: one candidate is still offered as a question.
  return near.length > 0 ? { kind: 'ambiguous', candidates: near.slice(0, 6) } : { kind: 'unknown', text: t };
}

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** `20`, `2.5`, `两`, `十二`, `二十`, `一百零五` → a number; null when it is not one. */
export function toNumber(text: string): number | null {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  let digit: number | null = null;
  for (const ch of text) {
    // 零 only holds a place (`一百零五`); on its own it is zero.
    if ((ch === '零' || ch === '〇') && text.length > 1) continue;
    if (ch in DIGITS) {
      if (digit !== null) return null; // `二三` is not a number
      digit = DIGITS[ch];
    } else if (ch in UNITS) {
      total += (digit ?? 1) * UNITS[ch];
      digit = null;
    } else return null;
  }
  return total + (digit ?? 0);
}

function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}
