/**
 * Numbers as staff type them in chat: digits, or Chinese numerals the way people say them —
 * `两`, `十二`, `一百零五`, and the spoken short forms where a last digit after 百, 千 or 万 counts
 * in the next lower place: `三百五` is 350, `一千二` 1200, `一万二` 12000.
 */

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const PLACES: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** `20`, `2.5`, `两`, `十二`, `一百零五`, `一千二`, `两万` → a number; null when it is not one (`二三`, `三个`). */
export function toNumber(text: string): number | null {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = text.split('万');
  if (parts.length === 1) return readBelowTenThousand(text);
  if (parts.length > 2) return null;
  const [high, low] = parts;
  const tenThousands = readBelowTenThousand(high);
  // `一万二`: the lone digit is thousands.
  const rest = low === '' ? 0 : low in DIGITS ? DIGITS[low] * 1000 : readBelowTenThousand(low);
  return tenThousands === null || rest === null ? null : tenThousands * 10_000 + rest;
}

function readBelowTenThousand(text: string): number | null {
  if (text === '') return null;
  let total = 0;
  let digit: number | null = null;
  let lastPlace: number | null = null;
  let afterZero = false;
  for (const ch of text) {
    // 零 only holds a place (`一百零五`: the 5 is ones); on its own it is zero.
    if ((ch === '零' || ch === '〇') && text.length > 1) {
      afterZero = true;
      continue;
    }
    if (ch in DIGITS) {
      if (digit !== null) return null; // `二三` is not a number
      digit = DIGITS[ch];
    } else if (ch in PLACES) {
      const place = PLACES[ch];
      if (lastPlace !== null && place >= lastPlace) return null; // `百千`, `十十`
      total += (digit ?? 1) * place;
      digit = null;
      lastPlace = place;
      afterZero = false;
    } else return null;
  }
  if (digit === null) return total;
  return total + (lastPlace !== null && lastPlace >= 100 && !afterZero ? digit * (lastPlace / 10) : digit);
}
