import { toNumber } from '../../bot/numbers';
import { STOCK_KINDS, verbWords, type QuantityVerb } from './move-kinds';

/**
 * Reads a stock message typed in chat — `入库 奶油 20箱`, `奶油入库2箱`, `到了两箱芒果`,
 * `今天到货 吐司 20袋`, `报损 牛奶 2盒 过期`, `扔了两盒牛奶`, `退给供应商 珍珠 1箱 质量问题`,
 * `调拨 奶油 5箱 到 二店`, `盘点 牛奶 5箱3盒`, `入库 奶油2箱 牛奶3箱`, `查库存 奶油`, `撤销` —
 * without a language model. It finds the verb (anywhere in the message), the SKUs (names,
 * aliases, codes) and each one's quantity (digits, full-width digits or Chinese numerals, halves,
 * decimals, several units added up), and what is left as a note. Several SKU matches, or none,
 * are reported as such, never guessed; a quantity or a leftover it cannot read is reported as a
 * problem of its line, never dropped and never moved into the note.
 */

export interface CatalogueSku {
  code: string;
  name: string;
  aliases: string[];
  baseUnit: string;
  packUnits: { unit: string; factor: number }[];
}

export type SkuMatch = { kind: 'found'; sku: CatalogueSku } | { kind: 'ambiguous'; candidates: CatalogueSku[] } | { kind: 'unknown'; text: string };

/** Why a line cannot be booked as it was read; the booking asks back instead. */
export type LineProblem =
  /** No quantity for this SKU (`入库 牛奶`). */
  | { kind: 'noQuantity' }
  /** A quantity or a leftover that is not clearly a note (`1.5.5箱`, `二十几箱`, `.5箱`). */
  | { kind: 'unreadable'; text: string }
  /** A unit this SKU does not have (`牛奶 2桶`). */
  | { kind: 'unknownUnit'; unitText: string }
  /** An expiry that is no day (`效期 13月40日`), or more expiries than lines to give them to. */
  | { kind: 'badExpiry'; text: string };

/** A batch's expiry as typed (`效期 12月20日`): the year only when it was written. */
export interface TypedExpiry {
  text: string;
  year?: number;
  month: number;
  day: number;
}

/** One SKU of a message and its quantity (`入库 奶油2箱 牛奶3箱` has two lines). */
export interface StockLine {
  sku: SkuMatch;
  /** The quantity as typed (`5箱3盒`); '' when there is none. */
  quantityText: string;
  /** In `unit`; null when no quantity was read. Several units (`5箱3盒`) are given in the base unit. */
  amount: number | null;
  unit: string;
  /** The amount in the SKU's base unit; null unless the SKU and every unit are known. */
  baseQuantity: number | null;
  note: string;
  /** `效期 12月20日`, `保质期至12月20日`, `到期 2026-12-20`: the expiry of what this line brings in. */
  expiry?: TypedExpiry;
  problem?: LineProblem;
}

export type StockCommand =
  | { kind: QuantityVerb; lines: StockLine[]; toStoreText?: string }
  | { kind: 'query'; sku: SkuMatch }
  | { kind: 'undo' }
  | { kind: 'incomplete'; verb: QuantityVerb; problem: 'store'; sku: SkuMatch | null };

type Verb = ReturnType<typeof verbWords>[number];

/** The words of every kind staff type (move-kinds.ts), longest first: `退货给供应商` before `退货`. */
const VERBS: Verb[] = verbWords().sort((a, b) => b.word.length - a.word.length);

/** `… 到 二店`, `…调往滨江路`, `… 给 S002`: the receiving store is what follows the last of these words. */
const DESTINATION = new RegExp(`^(.*\\S)\\s*(?:${STOCK_KINDS.transfer.typed.withDestination.join('|')}|到|至|给|→)\\s*(\\S.*)$`, 'u');

/** A question or a denial is never booked: `奶油到了吗`, `牛奶还没到货`, `收到几箱？`. */
const QUESTION = /[吗嘛么呢？?]\s*$|是不是|有没有|了没|多少|几[箱盒袋个条瓶罐包块]?\s*[?？]?$/u;
const DENIAL_BEFORE_VERB = /(?:没|没有|未|还没|不用|不要|别|不)\s*$/u;

/** What staff type around the facts: dropped at the edges of a SKU name or a note, nowhere else. */
// prettier-ignore
const FILLERS = ['今天', '今早', '今晚', '刚刚', '刚才', '刚', '早上', '上午', '中午', '下午', '晚上', '昨天', '一共', '总共', '共', '又', '再', '新', '还有', '以及', '和', '跟', '加', '的', '了', '啊', '呀', '哈', '哦', '吧', '嗯', '请', '帮忙', '帮我', '麻烦', '记一下', '记下', '一下', '记', '我们', '店里', '这边', '一批', '那个', '这个', '有', '是', '供应商', '给'];
const SEPARATORS = /^[\s,、;；。.!！~～:：+＋/]+|[\s,、;；。.!！~～:：+＋/]+$/gu;

/**
 * A batch's expiry: `效期 12月20日`, `保质期至12月20日`, `有效期到 2026年12月20日`, `到期 2026-12-20`,
 * `效期12/20`. Read out of the message before its lines, so its digits are never a quantity and its
 * words never the note.
 */
const EXPIRY = /(?:有效期|保质期|效期|到期日?)\s*(?:至|到|是|为|[:：])?\s*(?:(\d{4})\s*[年./-]\s*)?(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*[日号]?/gu;

/** Words that make the rest of a line clearly a note (a reason): `过期`, `压坏了`, `质量问题`. */
const NOTE_MARKERS =
  /过期|临期|坏|破|烂|漏|变质|发霉|霉|压|碎|摔|洒|翻|掉|化|酸|臭|馊|质量|问题|错|多了|少了|缺|赠|送的|供应商|客人|顾客|试吃|样品|损|裂|瘪|胀|脏|污|冻|不新鲜|异味|味道|原因|备注|因为|说是|补|晚|急|换|批次|日期|包装|标签|撞|湿|潮|用完|做|废|扔|倒|退|不要|没用|不好|空|少|多|活动|促销|外卖|门店|仓库|总部|司机|物流|冷链|温度/u;
const NOTE_LEAD = /^(?:备注|原因|因为)[:：\s]*/u;
/** Words of a clause, not of a product's name: `生虫了`, `太熟了`, `规格不对`, `卖不完` are reasons. */
const CLAUSE_WORDS = /了|太|不|没|很|被|有点/u;
/** Right after a quantity, a word that makes it approximate (`两箱多`, `二十来袋`, `5箱左右`): asked, not booked. */
const APPROXIMATE = /^(?:多|余|来|左右|上下|出头)(?=$|[\s,、;；。!！?？])/u;

/** Measure words staff use: a quantity in one the SKU does not have is asked about, not booked in base units. */
// prettier-ignore
const MEASURE_WORDS = ['箱', '盒', '袋', '瓶', '罐', '桶', '包', '个', '条', '块', '斤', '公斤', '千克', '克', 'kg', 'g', '升', '毫升', 'ml', 'L', '件', '份', '提', '板', '听', '支', '根', '卷', '筐', '托', '排', '杯', '盘', '串', '只', '颗', '片', '张', '套', '捆', '扎', '壶', '打'];
/** Base units that are weighed or measured: a fraction of one is a real amount. Others (盒, 个, 袋) are counted whole. */
const DIVISIBLE_UNITS = new Set(['kg', 'KG', 'Kg', '千克', '公斤', '斤', '克', 'g', '升', 'L', 'l', '毫升', 'ml', 'ML', '米', 'm']);

const CN_NUMERAL = '零〇一二两三四五六七八九十百千万';
/**
 * Digits (a dotted run like `1.5.5`, or a decimal comma `1,5`, is read whole, so it can be
 * refused; thousands `1,000` were joined before), or numerals with 几/来/多 (vague, refused).
 */
const NUMBER = `\\d+(?:[.,]\\d+)*|[${CN_NUMERAL}几]+`;
const MINUS = /[-−]\s*$/u;

/** NFKC makes full-width digits, letters and punctuation (２０, ，) plain; `1,000` is a thousand. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/(\d{1,3}(?:,\d{3})+)(?![\d,])/g, (m) => m.replace(/,/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

/** `chosen`: the SKU the person picked when asked which one they meant. */
export function parseStockCommand(text: string, catalogue: CatalogueSku[], chosen?: CatalogueSku): StockCommand | null {
  const clean = normalizeText(text);
  if (/^撤销(?:\s|$|上一笔|最后一笔|刚才)/u.test(clean)) return { kind: 'undo' };
  const mentions = findMentions(clean, catalogue);
  const verb = findVerb(clean, mentions);
  if (!verb) return readQuery(clean, catalogue);
  if (QUESTION.test(clean) || DENIAL_BEFORE_VERB.test(clean.slice(0, verb.index))) return null;

  const kind = verb.kind;
  // The verb goes; a space keeps the words on either side apart (`奶油入库2箱`).
  const { text: withoutExpiries, expiries } = takeExpiries(`${clean.slice(0, verb.index)} ${verb.withDestination ? '到 ' : ''}${clean.slice(verb.end)}`);
  let rest = withoutExpiries.trim();
  let toStoreText: string | undefined;
  if (kind === 'transfer') {
    const destination = DESTINATION.exec(rest);
    if (!destination) {
      const lines = readLines(rest, catalogue, chosen);
      return { kind: 'incomplete', verb: kind, problem: 'store', sku: lines.length && rest ? lines[0].sku : null };
    }
    rest = destination[1].trim();
    toStoreText = destination[2].trim();
  }
  const lines = withExpiries(readLines(rest, catalogue, chosen), expiries);
  // `收到` / `好的收到` / `冰块机坏了` are everyday phrases: an everyday verb opening the message needs
  // a SKU's name or a quantity after it, one further in a quantity of something (`两盒牛奶坏了`).
  const quantified = lines.some((l) => l.quantityText && (l.sku.kind !== 'unknown' || l.sku.text));
  const named = quantified || lines.some((l) => l.sku.kind !== 'unknown' || l.quantityText);
  if (verb.everyday && !(verb.index === 0 ? named && (quantified || mentions.length > 0) : quantified)) return null;
  if (verb.index > 0 && !named) return null;
  return {
    kind,
    lines: lines.length ? lines : [{ sku: { kind: 'unknown', text: '' }, quantityText: '', amount: null, unit: '', baseQuantity: null, note: '', problem: { kind: 'noQuantity' } }],
    ...(toStoreText ? { toStoreText } : {}),
  };
}

/** The expiries typed in `text`, and the text without them (each replaced by a space). */
function takeExpiries(text: string): { text: string; expiries: (TypedExpiry | { text: string; invalid: true })[] } {
  const expiries: (TypedExpiry | { text: string; invalid: true })[] = [];
  const rest = text.replace(EXPIRY, (whole: string, year: string | undefined, month: string, day: string) => {
    const typed = { text: whole.trim(), ...(year ? { year: Number(year) } : {}), month: Number(month), day: Number(day) };
    expiries.push(isDay(typed) ? typed : { text: typed.text, invalid: true });
    return ' ';
  });
  return { text: rest, expiries };
}

/** Feb 29 is a day unless a year says otherwise. */
function isDay(e: { year?: number; month: number; day: number }): boolean {
  const date = new Date(Date.UTC(e.year ?? 2028, e.month - 1, e.day));
  return e.month >= 1 && e.month <= 12 && date.getUTCMonth() === e.month - 1 && date.getUTCDate() === e.day;
}

/**
 * One expiry goes to every line (`入库 奶油2箱 牛奶3箱 效期12月20日`); as many as there are lines, one
 * each, in order (`入库 牛奶2箱 效期12月20日 奶油1箱 效期12月28日`); any other number is asked about.
 */
function withExpiries(lines: StockLine[], expiries: (TypedExpiry | { text: string; invalid: true })[]): StockLine[] {
  if (expiries.length === 0) return lines;
  const fits = expiries.length === 1 || expiries.length === lines.length;
  return lines.map((line, i) => {
    const expiry = fits ? expiries[expiries.length === 1 ? 0 : i] : undefined;
    if (line.problem) return line;
    if (!expiry || 'invalid' in expiry) return { ...line, problem: { kind: 'badExpiry', text: expiry?.text ?? expiries.map((e) => e.text).join('、') } };
    return { ...line, expiry };
  });
}

/**
 * The day a typed expiry names, `YYYY-MM-DD`: without a year, the first such day from `today`
 * on (`效期 1月5日` typed in December is next January's).
 */
export function expiryDate(expiry: Pick<TypedExpiry, 'year' | 'month' | 'day'>, today: string): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const on = (year: number) => `${year}-${pad(expiry.month)}-${pad(expiry.day)}`;
  if (expiry.year) return on(expiry.year);
  const year = Number(today.slice(0, 4));
  // Feb 29 of a year without one: the next year that has it.
  for (let y = year; y < year + 8; y++) if (isDay({ year: y, month: expiry.month, day: expiry.day }) && on(y) >= today) return on(y);
  return on(year);
}

/** `查库存 奶油`, `库存 奶油`, `奶油库存`, `奶油还有多少`, `查一下奶油`: only when the words name a SKU. */
function readQuery(clean: string, catalogue: CatalogueSku[]): StockCommand | null {
  const start = /^(?:查库存|库存|查一下|查查|查)\s*(.*?)(?:的?库存)?\s*[?？]*$/u.exec(clean);
  if (start && /^(?:查库存|库存)/u.test(clean)) return { kind: 'query', sku: matchSku(stripFillers(start[1]), catalogue) };
  const phrased = start?.[1] || /^(.+?)\s*(?:的?库存(?:多少|还有多少)?|(?:还有|还剩|剩)(?:多少|几)[箱盒袋个条瓶罐包块斤]?)(?:了|呢)?\s*[?？]*$/u.exec(clean)?.[1];
  if (!phrased) return null;
  const sku = matchSku(stripFillers(phrased), catalogue);
  return sku.kind === 'unknown' ? null : { kind: 'query', sku };
}

interface Span {
  start: number;
  end: number;
}
interface Mention extends Span {
  text: string;
}
interface QuantityPart {
  amount: number | null;
  unit: string | null;
}
interface Quantity extends Span {
  text: string;
  parts: QuantityPart[];
  negative: boolean;
}

/** Where SKU names, aliases and codes occur: longest first, never overlapping. */
function findMentions(text: string, catalogue: CatalogueSku[]): Mention[] {
  const needles = [...new Set(catalogue.flatMap((s) => [s.name, ...s.aliases, s.code]).filter((n) => n.length > 0))].sort((a, b) => b.length - a.length);
  const lower = text.toLowerCase();
  const found: Mention[] = [];
  for (const needle of needles) {
    const n = needle.toLowerCase();
    // A code (`MILK`) is a word of its own, not letters inside another one.
    const ascii = /^[a-z0-9]+$/i.test(needle);
    for (let at = lower.indexOf(n); at >= 0; at = lower.indexOf(n, at + 1)) {
      const end = at + n.length;
      if (ascii && (/[a-z0-9]/i.test(text[at - 1] ?? '') || /[a-z0-9]/i.test(text[end] ?? ''))) continue;
      if (found.some((m) => at < m.end && end > m.start)) continue;
      found.push({ start: at, end, text: text.slice(at, end) });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

function findVerb(text: string, mentions: Mention[]): (Verb & Span & { index: number }) | null {
  for (let i = 0; i < text.length; i++) {
    if (mentions.some((m) => i >= m.start && i < m.end)) continue;
    const verb = VERBS.find((v) => text.startsWith(v.word, i));
    if (!verb) continue;
    // `到货了`, `入库了`: the 了 belongs to the verb.
    const end = i + verb.word.length + (text[i + verb.word.length] === '了' && !verb.word.endsWith('了') ? 1 : 0);
    return { ...verb, start: i, index: i, end };
  }
  return null;
}

function unitPattern(units: string[]): string {
  return [...new Set(units)]
    .sort((a, b) => b.length - a.length)
    .map((u) => u.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|');
}

/**
 * The quantities of `text` outside SKU names: `20箱`, `两箱半`, `半箱`, `2.5箱`, `5箱3盒`,
 * `5箱 3盒`, `20` (no unit: the base unit). A numeral without a unit counts only at the end of
 * a word (`十二`, not the 一 of `一下`).
 */
function findQuantities(text: string, mentions: Mention[], units: string[]): Quantity[] {
  const unit = unitPattern(units);
  const part = new RegExp(`(?:(${NUMBER})\\s*(${unit})(半)?|(半)\\s*(${unit})|(\\d+(?:[.,]\\d+)*)|([${CN_NUMERAL}几]+)(?=\\s|$|[,、;；。!！]))`, 'uy');
  const more = new RegExp(`\\s*(?:零|又)?\\s*(${NUMBER})\\s*(${unit})(半)?`, 'uy');
  const inMention = (i: number) => mentions.some((m) => i >= m.start && i < m.end);
  const found: Quantity[] = [];
  for (let i = 0; i < text.length; i++) {
    if (inMention(i)) continue;
    // A number inside a word of Latin letters or digits (`S002`, `A12`) is not a quantity.
    if (/[A-Za-z0-9.]/.test(text[i - 1] ?? '')) continue;
    part.lastIndex = i;
    const m = part.exec(text);
    if (!m) continue;
    const parts: QuantityPart[] = [];
    if (m[1] !== undefined) parts.push({ amount: plusHalf(toNumber(m[1]), m[3]), unit: m[2] });
    else if (m[4] !== undefined) parts.push({ amount: 0.5, unit: m[5] });
    else parts.push({ amount: toNumber(m[6] ?? m[7]), unit: null });
    let end = i + m[0].length;
    // `5箱3盒`: more parts with units follow.
    if (parts[0].unit !== null) {
      for (;;) {
        more.lastIndex = end;
        const next = more.exec(text);
        if (!next || inMention(end + next[0].search(/\S/))) break;
        parts.push({ amount: plusHalf(toNumber(next[1]), next[3]), unit: next[2] });
        end += next[0].length;
      }
    }
    if (mentions.some((mention) => mention.start < end && mention.end > i)) continue;
    const approximate = APPROXIMATE.exec(text.slice(end));
    if (approximate) {
      parts.push({ amount: null, unit: null });
      end += approximate[0].length;
    }
    // `-3盒` is read as −3, which the booking refuses, never silently as 3.
    const minus = MINUS.exec(text.slice(0, i));
    found.push({ start: minus ? minus.index : i, end, text: text.slice(i, end), parts, negative: minus !== null });
    i = end - 1;
  }
  return found;
}

const plusHalf = (n: number | null, half: string | undefined) => (n === null ? null : half ? n + 0.5 : n);

/** Splits what is left of the message into lines: a SKU and its quantity each, with notes. */
function readLines(text: string, catalogue: CatalogueSku[], chosen?: CatalogueSku): StockLine[] {
  const mentions = findMentions(text, catalogue);
  const units = [...MEASURE_WORDS, ...catalogue.flatMap((s) => [s.baseUnit, ...s.packUnits.map((p) => p.unit)])];
  const quantities = findQuantities(text, mentions, units);
  const slice = (from: number, to: number) => text.slice(from, to);
  if (quantities.length === 0) {
    if (!text.trim() && !chosen) return [];
    // `收到牛奶廿箱`: the SKU is named, its quantity is what could not be read.
    const sku = chosen ? ({ kind: 'found', sku: chosen } as const) : mentions.length ? matchSku(mentions[0].text, catalogue) : matchSku(stripFillers(text), catalogue);
    return [{ sku, quantityText: '', amount: null, unit: '', baseQuantity: null, note: '', problem: { kind: 'noQuantity' } }];
  }
  const lines: { skuText: Span; quantity: Quantity; notes: Span[] }[] = [];
  const tail: Span = { start: quantities.at(-1)!.end, end: text.length };
  // `到了两箱芒果`: the quantity comes first, each SKU after its quantity.
  const quantityFirst = !chosen && stripFillers(slice(0, quantities[0].start)) === '';
  if (quantityFirst) {
    quantities.forEach((q, i) => {
      const after: Span = { start: q.end, end: quantities[i + 1]?.start ?? text.length };
      const split = splitSkuThenNote(text, after, mentions);
      lines.push({ skuText: split.sku, quantity: q, notes: split.note ? [split.note] : [] });
    });
  } else {
    quantities.forEach((q, i) => {
      const before: Span = { start: i === 0 ? 0 : quantities[i - 1].end, end: q.start };
      if (i === 0) lines.push({ skuText: before, quantity: q, notes: [] });
      else {
        const split = splitNoteThenSku(text, before, mentions);
        if (split.note) lines[i - 1].notes.push(split.note);
        lines.push({ skuText: split.sku, quantity: q, notes: [] });
      }
    });
  }
  const extra: StockLine[] = [];
  if (!quantityFirst) {
    // After the last quantity: its note, or a SKU that has no quantity (`入库 奶油2箱 牛奶`).
    const named = mentions.find((m) => m.start >= tail.start);
    if (named) {
      if (named.start > tail.start) lines.at(-1)!.notes.push({ start: tail.start, end: named.start });
      const sku = resolveSku(
        slice(named.start, text.length),
        mentions.filter((m) => m.start >= named.start).map((m) => ({ ...m, start: m.start - named.start, end: m.end - named.start })),
        catalogue,
      );
      extra.push({ sku: sku.match, quantityText: '', amount: null, unit: '', baseQuantity: null, note: '', problem: { kind: 'noQuantity' } });
    } else lines.at(-1)!.notes.push(tail);
  }
  return [
    ...lines.map(({ skuText, quantity, notes }) => {
      const sku = chosen
        ? { match: { kind: 'found', sku: chosen } as SkuMatch }
        : resolveSku(
            slice(skuText.start, skuText.end),
            mentions.filter((m) => m.start >= skuText.start && m.end <= skuText.end).map((m) => ({ ...m, start: m.start - skuText.start, end: m.end - skuText.start })),
            catalogue,
          );
      const noteTexts = [...(sku.note ? [sku.note] : []), ...notes.map((n) => slice(n.start, n.end))];
      return buildLine(sku.match, quantity, noteTexts, sku.problem);
    }),
    ...extra,
  ];
}

/** After a quantity (quantity first): the SKU's name, then anything else as its note. */
function splitSkuThenNote(text: string, span: Span, mentions: Mention[]): { sku: Span; note?: Span } {
  const inner = text.slice(span.start, span.end);
  const lead = inner.length - inner.trimStart().length;
  const first = mentions.find((m) => m.start >= span.start && m.end <= span.end);
  if (first && stripFillers(text.slice(span.start, first.start)) === '')
    return { sku: { start: first.start, end: first.end }, note: first.end < span.end ? { start: first.end, end: span.end } : undefined };
  const gap = inner.slice(lead).search(/[\s,、;；。]/u);
  if (gap < 0) return { sku: span };
  return { sku: { start: span.start, end: span.start + lead + gap }, note: { start: span.start + lead + gap, end: span.end } };
}

/** Between two quantities (SKU first): the earlier line's note, then the next line's SKU. */
function splitNoteThenSku(text: string, span: Span, mentions: Mention[]): { note?: Span; sku: Span } {
  const last = mentions.filter((m) => m.start >= span.start && m.end <= span.end).at(-1);
  let at = last?.start;
  if (at === undefined) {
    const inner = text.slice(span.start, span.end).trimEnd();
    const gap = Math.max(...[...inner.matchAll(/[\s,、;；。]/gu)].map((m) => m.index));
    at = gap >= 0 ? span.start + gap + 1 : span.start;
  }
  return { note: at > span.start ? { start: span.start, end: at } : undefined, sku: { start: at, end: span.end } };
}

/**
 * The SKU of a line's words: a name, alias or code with at most filler words around it, or
 * the words as a whole (`芒果干` is not 芒果: it is asked about). A reason next to the name
 * (`牛奶 过期 2盒`) is its note.
 */
function resolveSku(words: string, mentions: Mention[], catalogue: CatalogueSku[]): { match: SkuMatch; note?: string; problem?: LineProblem } {
  const whole = stripFillers(words);
  if (mentions.length === 1) {
    const [m] = mentions;
    const before = stripFillers(words.slice(0, m.start));
    const after = stripFillers(words.slice(m.end));
    if (!before && !after) return { match: matchSku(m.text, catalogue) };
    if (!before && NOTE_MARKERS.test(after)) return { match: matchSku(m.text, catalogue), note: after };
    if (!after && NOTE_MARKERS.test(before)) return { match: matchSku(m.text, catalogue), note: before };
  }
  if (mentions.length > 1) return { match: matchSku(mentions.at(-1)!.text, catalogue), problem: { kind: 'unreadable', text: whole } };
  return { match: matchSku(whole, catalogue) };
}

function buildLine(sku: SkuMatch, quantity: Quantity, noteTexts: string[], problem?: LineProblem): StockLine {
  const notes = noteTexts.map(cleanNote).filter((n) => n.text);
  const unreadableNote = notes.find((n) => !n.clear);
  const note = notes.map((n) => n.text).join(' ');
  const base = { sku, quantityText: quantity.text.trim(), note };
  const read = sku.kind === 'found' ? quantityOf(quantity, sku.sku) : { amount: quantity.parts.length === 1 ? quantity.parts[0].amount : null, unit: quantity.parts[0].unit ?? '', baseQuantity: null };
  const quantityProblem = 'problem' in read ? read.problem : undefined;
  const values = 'problem' in read ? { amount: null, unit: '', baseQuantity: null } : read;
  const firstProblem = problem ?? quantityProblem ?? (unreadableNote ? ({ kind: 'unreadable', text: unreadableNote.text } as const) : undefined);
  return { ...base, ...values, ...(firstProblem ? { problem: firstProblem } : {}) };
}

/** A note is words only, and clearly a reason: digits or a quantity in it mean something was not read. */
function cleanNote(text: string): { text: string; clear: boolean } {
  // Only what leads into the note goes (`给供应商 质量问题`); the note itself stays as typed.
  const t = stripFillers(text, { end: false }).replace(NOTE_LEAD, '').trim();
  if (!t) return { text: '', clear: true };
  if (/\d|[.．]|半|[零〇一二两三四五六七八九十百千万]\s*[箱盒袋瓶罐桶包个条块斤]/u.test(t)) return { text: t, clear: false };
  return { text: t, clear: NOTE_MARKERS.test(t) || CLAUSE_WORDS.test(t) || NOTE_LEAD.test(stripFillers(text, { end: false })) };
}

/** A quantity in a known SKU's units; several units add up in the base unit (`5箱3盒` = 63盒). */
function quantityOf(quantity: Quantity, sku: CatalogueSku, defaultUnit = sku.baseUnit): { amount: number; unit: string; baseQuantity: number } | { problem: LineProblem } {
  const units = [sku.baseUnit, ...sku.packUnits.map((p) => p.unit)];
  if (quantity.parts.some((p) => p.amount === null)) return { problem: { kind: 'unreadable', text: quantity.text.trim() } };
  const strange = quantity.parts.find((p) => p.unit !== null && !units.includes(p.unit));
  if (strange) return { problem: { kind: 'unknownUnit', unitText: strange.unit! } };
  const used = quantity.parts.map((p) => p.unit ?? defaultUnit);
  if (new Set(used).size < used.length) return { problem: { kind: 'unreadable', text: quantity.text.trim() } };
  const sign = quantity.negative ? -1 : 1;
  const baseQuantity = sign * roundQuantity(quantity.parts.reduce((sum, p, i) => sum + p.amount! * factorOf(sku, used[i]), 0));
  if (quantity.parts.length > 1) return { amount: baseQuantity, unit: sku.baseUnit, baseQuantity };
  return { amount: sign * quantity.parts[0].amount!, unit: used[0], baseQuantity };
}

/** Quantities are stored to 3 decimals; 2.5 × 12 is 30, not 29.999…. */
const roundQuantity = (n: number) => Math.round(n * 1000) / 1000;

/** A message that starts with a quantity (`18`, `两箱`, `4箱 压坏1箱`, `2 过期`): an answer to "how many?". */
export const BARE_QUANTITY = /^(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+|半)(?=$|\s|[^\d零〇一二两三四五六七八九十百千])(?!\s*[零〇一二两三四五六七八九十百千\d])/u;

/**
 * Reads a bare quantity for a SKU already known (after a scan, or for a transfer being
 * received): the amount, its unit (`defaultUnit`, the scanned one, when none is given) and what
 * follows as a note. null when it is not a quantity, or names a unit the SKU does not have.
 */
export function readQuantity(text: string, sku: CatalogueSku, defaultUnit = sku.baseUnit): { amount: number; unit: string; baseQuantity: number; note: string } | null {
  const clean = normalizeText(text);
  const [first] = findQuantities(clean, [], [...MEASURE_WORDS, sku.baseUnit, ...sku.packUnits.map((p) => p.unit)]);
  if (!first || first.start !== 0 || first.negative) return null;
  const after = clean.slice(first.end);
  // `2过期` is not a unit, and `2 过期` is a note; but `2.5.5` or `2x` is not a quantity.
  if (/^[A-Za-z.]/.test(after)) return null;
  const read = quantityOf(first, sku, defaultUnit);
  if ('problem' in read) return null;
  return { ...read, note: after.trim() };
}

export function factorOf(sku: CatalogueSku, unit: string): number {
  return unit === sku.baseUnit ? 1 : (sku.packUnits.find((p) => p.unit === unit)?.factor ?? 1);
}

/** Whether the SKU's base unit is weighed or measured (kg, 升…), so a fraction of it can be booked. */
export function allowsFractionalBase(sku: CatalogueSku): boolean {
  return DIVISIBLE_UNITS.has(sku.baseUnit);
}

/** Strips filler words and separators from both ends, never from inside: `今天的牛奶` → `牛奶`. */
export function stripFillers(text: string, edges: { end?: boolean } = {}): string {
  const atEnd = edges.end ?? true;
  let t = text.replace(SEPARATORS, '');
  for (let changed = true; changed;) {
    changed = false;
    for (const f of FILLERS) {
      if (t.startsWith(f) && t.length > f.length) {
        t = t.slice(f.length).replace(SEPARATORS, '');
        changed = true;
      }
      if (atEnd && t.endsWith(f) && t.length > f.length) {
        t = t.slice(0, -f.length).replace(SEPARATORS, '');
        changed = true;
      }
      if (t === f) {
        t = '';
        changed = true;
      }
    }
  }
  return t;
}

/** Exact name, alias or code first; then names the text is part of; then one-character slips. */
export function matchSku(text: string, catalogue: CatalogueSku[]): SkuMatch {
  const t = text.trim();
  if (!t) return { kind: 'unknown', text: t };
  const exact = catalogue.filter((s) => s.name === t || s.aliases.includes(t) || s.code.toLowerCase() === t.toLowerCase());
  if (exact.length === 1) return { kind: 'found', sku: exact[0] };
  // `奶` is part of 牛奶 and 奶油: asked. But `芒果干` is not 芒果: a name inside the text is no match.
  const containing = exact.length > 1 ? exact : catalogue.filter((s) => [s.name, ...s.aliases].some((n) => n.includes(t)));
  if (containing.length === 1) return { kind: 'found', sku: containing[0] };
  if (containing.length > 1) return { kind: 'ambiguous', candidates: containing.slice(0, 6) };
  const near = catalogue.filter((s) => [s.name, ...s.aliases].some((n) => n.length >= 2 && editDistance(n, t) === 1));
  // A near miss is never booked silently: one candidate is still offered as a question.
  return near.length > 0 ? { kind: 'ambiguous', candidates: near.slice(0, 6) } : { kind: 'unknown', text: t };
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
