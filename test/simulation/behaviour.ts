import type { Random } from './random';
import type { SimSku } from './catalogue';

/**
 * What happens in a store that nobody types, and what staff type of it. Every probability is
 * named here and used nowhere else under another name; where a published figure exists it is
 * cited, otherwise the value is an assumption of this model (marked "assumed") to be replaced by a
 * chain's own figures.
 *
 * The target the plain-ledger arm is calibrated against: DeHoratius & Raman (2008), "Inventory
 * Record Inaccuracy: An Empirical Analysis", Management Science 54(4):627–641 — 65% of 370,000
 * SKU×store records of a retailer did not match the shelf. Their drivers (and ours): receiving
 * errors, unrecorded shrink (theft, spoilage, breakage), and time without a physical audit.
 */
export const STAFF = {
  /** A delivery is booked by chat within half an hour of arriving. Assumed. */
  receiptOnTime: 0.75,
  /** …or 2–6 hours later, after the rush (先干活后登记); after closing it is booked the next morning. Assumed (the rest forget it). */
  receiptLate: 0.22,
  /** When a line came short, the receiver books the notice's figure rather than what is on the pallet. Assumed; receiving errors are a main driver in DeHoratius & Raman 2008. */
  receiptBooksNoticeWhenShort: 0.6,
  /** A typed quantity is one pack off (3箱 for 2箱). Assumed. */
  quantityTypo: 0.02,
  /** The same receipt is sent twice (two people, or a retry after no answer seemed to come). Assumed. */
  doubleEntry: 0.02,
  /** Waste (spoiled fruit, pastry, milk) is entered with 报损. Assumed: the rest is thrown away unrecorded. */
  wasteRecorded: 0.7,
  /** Breakage (a dropped sleeve of cups) is entered. Assumed. */
  breakageRecorded: 0.5,
  /** A counted SKU is miscounted by 1–3 base units. Assumed. */
  miscount: 0.03,
  /** A counter counts in packs plus loose units (`3箱45个`) rather than units only. Assumed. */
  countsInPacks: 0.5,
} as const;

/** What staff do with the bot's nudges (checks-on arm; the checks-off arm gets none). */
export const ANSWERS = {
  /** The manager books a late delivery from its task card's 入库 button — once the goods are in. Assumed. */
  tapLateDelivery: 0.8,
  /** …and taps it although the goods have not come yet (the card says they should have). Assumed. */
  tapLateDeliveryNotArrived: 0.1,
  /** The sender confirms a held waste on its review card. Assumed. */
  confirmHeldWaste: 0.85,
} as const;

/** What happens to the goods (the same in both arms: the shelf does not depend on the bot). */
export const STORE = {
  /** A delivery arrives 3–5 hours after its notice's expected time. Assumed. */
  deliveryLate: 0.1,
  /** A delivery line is a pack short (the notice is not corrected). Assumed. */
  deliveryLineShort: 0.05,
  /** Mean units of a perishable SKU spoiled a day, per unit of its daily use. Assumed (≈3%). */
  spoilageShareOfUse: 0.03,
  /** Chance a store breaks some packaging in a day (1–5 units of one packaging SKU). Assumed. */
  breakagePerDay: 0.15,
  /** Chance a store loses goods to theft in a day (1–4 units of one SKU), never recorded. Assumed. */
  theftPerDay: 0.05,
  /** Stock kept: a delivery tops the shelf up to this many days of mean use. Assumed. */
  coverDays: 2.5,
} as const;

const NUMERALS = ['零', '一', '两', '三', '四', '五', '六', '七', '八', '九', '十'];
const chinese = (n: number) => (n <= 10 ? NUMERALS[n]! : String(n));

/** One line of a receipt in one of the ways staff write it. */
export function receiptText(rng: Random, sku: SimSku, packs: number): string {
  const p = packs;
  const u = sku.pack.unit;
  return rng.pick([`入库 ${sku.name} ${p}${u}`, `到了${chinese(p)}${u}${sku.name}`, `${sku.name}${p}${u}到货了`, `收到${sku.name} ${p}${u}`, `${sku.name}入库${p}${u}`, `来货 ${sku.name}${p}${u}`]);
}

/** Several lines in one message: booked all or none. */
export function multiReceiptText(lines: { sku: SimSku; packs: number }[]): string {
  return `入库 ${lines.map((l) => `${l.sku.name}${l.packs}${l.sku.pack.unit}`).join(' ')}`;
}

const WASTE_REASONS = ['过期', '变质', '坏了', '太熟了'];
export function wasteText(rng: Random, sku: SimSku, quantity: number, breakage: boolean): string {
  const reason = breakage ? rng.pick(['破损', '摔坏了', '压坏了']) : rng.pick(WASTE_REASONS);
  return rng.pick([`报损 ${sku.name} ${quantity}${sku.baseUnit} ${reason}`, `${sku.name}报损${quantity}${sku.baseUnit} ${reason}`, `报废 ${sku.name} ${quantity}${sku.baseUnit} ${reason}`]);
}

export function countText(rng: Random, sku: SimSku, counted: number): string {
  const packs = Math.floor(counted / sku.pack.size);
  const loose = counted - packs * sku.pack.size;
  if (packs > 0 && rng.chance(STAFF.countsInPacks)) return `盘点 ${sku.name} ${packs}${sku.pack.unit}${loose > 0 ? `${loose}${sku.baseUnit}` : ''}`;
  return `盘点 ${sku.name} ${counted}${sku.baseUnit}`;
}
