/**
 * The members of a simulated chain and what they do: a behaviour model with a known coupon
 * effect, so the bot's measured uplift can be checked against the truth. Pure: everything comes
 * from a seeded generator (no Math.random, no wall clock), so a seed always gives the same members
 * and the same orders.
 */

/** sfc32: small, fast, and good enough for simulation; seeded through splitmix32 so nearby seeds diverge at once. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uniform();
  }
  /** In [0, 1). */
  uniform(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
  chance(p: number): boolean {
    return this.uniform() < p;
  }
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  exponential(mean: number): number {
    return -Math.log(1 - this.uniform()) * mean;
  }
  /** Marsaglia–Tsang; shape < 1 by the usual boost. */
  gamma(shape: number, scale: number): number {
    if (shape < 1) return this.gamma(shape + 1, scale) * Math.pow(this.uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v = (1 + c * x) ** 3;
      if (v <= 0) continue;
      const u = this.uniform();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
    }
  }
  /** Knuth's product method: the means here are a few visits at most. */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = this.uniform(); p > limit; p *= this.uniform()) k++;
    return k;
  }
  pick<T>(items: readonly T[], weights: readonly number[]): T {
    let r = this.uniform() * weights.reduce((s, w) => s + w, 0);
    for (const [i, w] of weights.entries()) if ((r -= w) < 0) return items[i];
    return items[items.length - 1];
  }
}

/** The named parameters of the behaviour model. */
export interface MemberModel {
  /** Visits per day are gamma-distributed across members (the classic NBD model of purchase frequency, Ehrenberg 1959). */
  visitRateMean: number;
  visitRateShape: number;
  /** Share of members who drifted away 10–60 days before the campaign, after which they visit at `driftedRateFactor` of their rate. */
  driftedShare: number;
  driftedRateFactor: number;
  /** Days of order history before the campaign. */
  historyDays: number;
  /**
   * Share of members who are a WeCom customer contact of a member of staff (the sandbox: 80%),
   * tilted towards regulars: the member with visit-rate rank r (0–1) is a contact with probability
   * reachShare + reachTilt · (r − ½).
   */
  reachShare: number;
  reachTilt: number;
  /** Chance that the owner staff confirms a member's coupon message at all, and the mean delay when they do (hours). */
  confirmShare: number;
  confirmDelayHoursMean: number;
  /** Chance a member who got the coupon uses it on an ordinary visit after receiving it. */
  couponUseOnVisit: number;
}

export const DEFAULT_MEMBER_MODEL: MemberModel = {
  visitRateMean: 0.1,
  visitRateShape: 1.5,
  driftedShare: 0.5,
  driftedRateFactor: 0.25,
  historyDays: 60,
  reachShare: 0.8,
  reachTilt: 0.3,
  confirmShare: 0.85,
  confirmDelayHoursMean: 4,
  couponUseOnVisit: 0.6,
};

export const CATEGORIES = [
  { name: '奶茶', sku: 'T01', price: 16, cost: 5 },
  { name: '咖啡', sku: 'C01', price: 22, cost: 6 },
  { name: '甜品', sku: 'D01', price: 18, cost: 7 },
  { name: '轻食', sku: 'L01', price: 28, cost: 12 },
] as const;

export interface SimMember {
  code: string;
  name: string;
  homeStore: string;
  /** The staff member who has them as a WeCom contact; null: not reachable on WeCom. */
  owner: string | null;
  externalUserid: string | null;
  /** Visits per day now (after drifting, if they did). */
  rate: number;
  /** Category weights (a Dirichlet-like draw: one favourite, the rest small). */
  preferences: number[];
}

export interface SimOrder {
  order_id: string;
  member: string;
  store: string;
  ordered_at: string;
  amount: number;
  discount: number;
  coupon_code?: string;
  lines: { sku: string; category: string; quantity: number; amount: number; cost: number }[];
}

const DAY = 86_400_000;

/** Members of one seed, with their order history up to `start`. */
export function generateMembers(
  random: Random,
  opts: { seed: number; count: number; stores: { code: string; staff: string[] }[]; start: Date; model: MemberModel },
): { members: SimMember[]; history: SimOrder[] } {
  const { model } = opts;
  const scale = model.visitRateMean / model.visitRateShape;
  const base = Array.from({ length: opts.count }, () => random.gamma(model.visitRateShape, scale));
  const rank = new Map([...base.keys()].sort((x, y) => base[x] - base[y]).map((i, r) => [i, opts.count > 1 ? r / (opts.count - 1) : 0.5]));
  const members: SimMember[] = [];
  const history: SimOrder[] = [];
  for (let i = 0; i < opts.count; i++) {
    const store = opts.stores[random.int(opts.stores.length)];
    const code = `S${opts.seed}M${String(i + 1).padStart(5, '0')}`;
    const reachable = random.chance(model.reachShare + model.reachTilt * (rank.get(i)! - 0.5));
    const driftedAt = random.chance(model.driftedShare) ? opts.start.getTime() - (10 + random.uniform() * 50) * DAY : null;
    const favourite = random.int(CATEGORIES.length);
    const preferences = CATEGORIES.map((_, c) => (c === favourite ? 3 : 0.3 + random.uniform()));
    const member: SimMember = {
      code,
      name: `会员${i + 1}`,
      homeStore: store.code,
      owner: reachable ? store.staff[random.int(store.staff.length)] : null,
      externalUserid: reachable ? `wm_${code}` : null,
      rate: driftedAt === null ? base[i] : base[i] * model.driftedRateFactor,
      preferences,
    };
    members.push(member);
    // Visits as a Poisson process over the history, at the drifted rate after the drift.
    const from = opts.start.getTime() - model.historyDays * DAY;
    let n = 0;
    for (let t = from + random.exponential(1 / base[i]) * DAY; t < opts.start.getTime();) {
      const rate = driftedAt !== null && t >= driftedAt ? base[i] * model.driftedRateFactor : base[i];
      history.push(order(random, member, `H${n++}`, new Date(t)));
      t += random.exponential(1 / rate) * DAY;
    }
  }
  return { members, history };
}

/** One visit's order: one to three lines from the member's preferred categories. */
export function order(random: Random, member: SimMember, suffix: string, at: Date, coupon?: { code: string; value: number; minSpend: number }): SimOrder {
  const lines: SimOrder['lines'] = [];
  const count = 1 + random.int(3);
  for (let l = 0; l < count; l++) {
    const c = random.pick(CATEGORIES, member.preferences);
    const quantity = 1 + (random.chance(0.2) ? 1 : 0);
    const existing = lines.find((x) => x.sku === c.sku);
    if (existing) {
      existing.quantity += quantity;
      existing.amount += c.price * quantity;
      existing.cost += c.cost * quantity;
    } else lines.push({ sku: c.sku, category: c.name, quantity, amount: c.price * quantity, cost: c.cost * quantity });
  }
  const gross = lines.reduce((s, l) => s + l.amount, 0);
  if (coupon && gross >= coupon.minSpend) {
    // The discount comes off the first line, as many POS systems book it.
    lines[0].amount -= coupon.value;
    return {
      order_id: `${member.code}-${suffix}`,
      member: member.code,
      store: member.homeStore,
      ordered_at: at.toISOString(),
      amount: gross - coupon.value,
      discount: coupon.value,
      coupon_code: coupon.code,
      lines,
    };
  }
  return { order_id: `${member.code}-${suffix}`, member: member.code, store: member.homeStore, ordered_at: at.toISOString(), amount: gross, discount: 0, lines };
}

/**
 * The chance that a member visits at least once in a window of `days` without a coupon:
 * 1 − e^(−rate·days) for Poisson visits.
 */
export function baselineVisitChance(member: SimMember, days: number): number {
  return 1 - Math.exp(-member.rate * days);
}

/**
 * The injected effect: a member who received the coupon visits at least once in the window with
 * probability p₀ + effect (capped at 1), where p₀ is their chance without it. The simulator draws
 * the ordinary visits as usual and, for a receiver who made none, adds a coupon visit with
 * probability effect / (1 − p₀) — which gives exactly that.
 */
export function couponVisitChance(p0: number, effect: number): number {
  return p0 >= 1 ? 0 : Math.min(1, effect / (1 - p0));
}

/** Opening hours as the visits use them (local 10:00–21:00, UTC+8). */
export function visitTime(random: Random, windowStart: Date, day: number): Date {
  const localMidnight = Math.floor((windowStart.getTime() + 8 * 3_600_000) / DAY) * DAY - 8 * 3_600_000;
  return new Date(localMidnight + day * DAY + (10 + random.uniform() * 11) * 3_600_000);
}
