import type { Db } from '../../db';
import type { DemoContext } from '../../bot/registry';
import { defineCampaigns } from './campaigns';
import { writeMembers, writeOrders } from './ingest';
import { recomputeMembers } from './jobs';
import type { MemberInput, OrderInput } from './ingest';
import { createLogger } from '../../log';

const OWNERS: Record<string, string[]> = { S001: ['zhangxiaomei', 'liqiang', 'wangxin'], S002: ['chenjing', 'zhaolei', 'sunli'] };
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const PRODUCTS = [
  { sku: 'T01', category: '奶茶', price: 16, cost: 5 },
  { sku: 'T02', category: '奶茶', price: 18, cost: 6 },
  { sku: 'F01', category: '果茶', price: 19, cost: 7 },
  { sku: 'D01', category: '甜品', price: 15, cost: 5 },
  { sku: 'D02', category: '甜品', price: 22, cost: 8 },
  { sku: 'B01', category: '面包', price: 12, cost: 4 },
];

/** mulberry32: a small seeded generator, so every sandbox (and the members benchmark) gets the same members and history. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 200 demo members of the two demo stores with about three months of orders. */
export function demoMembers(now: Date): { members: MemberInput[]; orders: OrderInput[] } {
  const random = seeded(20261125);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const members: MemberInput[] = [];
  const orders: OrderInput[] = [];
  for (let i = 1; i <= 200; i++) {
    const code = `VIP${String(i).padStart(4, '0')}`;
    const store = i % 2 ? 'S001' : 'S002';
    const contact = random() < 0.8;
    const name = `${pick([...SURNAMES])}${random() < 0.5 ? '女士' : '先生'}`;
    members.push({
      code,
      name,
      phone: `139${String(10_000_000 + i * 7919).slice(-8)}`,
      external_userid: contact ? `wm_demo_${code}` : undefined,
      owner: contact ? pick(OWNERS[store]) : undefined,
      home_store: store,
      marketing: random() > 0.05,
    });
    // Regulars come every few days; a third drifted away 15–45 days ago; a quarter love desserts.
    const gapDays = 2 + random() * 12;
    const lapsedDays = random() < 0.33 ? 15 + random() * 30 : random() * 3;
    const sweet = random() < 0.25;
    let n = 0;
    for (let ago = lapsedDays; ago < 90; ago += gapDays * (0.5 + random())) {
      const items = 1 + Math.floor(random() * 2);
      const lines = Array.from({ length: items }, () => {
        const product = sweet && random() < 0.7 ? PRODUCTS[3 + Math.floor(random() * 2)] : pick(PRODUCTS);
        return { sku: product.sku, category: product.category, quantity: 1, amount: product.price, cost: product.cost };
      });
      const gross = lines.reduce((s, l) => s + l.amount, 0);
      const discount = random() < 0.2 ? 3 : 0;
      const at = new Date(now.getTime() - ago * 86_400_000);
      at.setUTCHours(1 + Math.floor(random() * 11), Math.floor(random() * 60), 0, 0); // 09:00–20:00 in Shanghai
      orders.push({
        order_id: `DEMO-${code}-${++n}`,
        member: code,
        store,
        ordered_at: at,
        amount: gross - discount,
        discount,
        coupon_code: undefined,
        dwell_seconds: 120 + Math.floor(random() * 900),
        lines,
      });
    }
  }
  return { members, orders };
}

/**
 * Seeds the demo members, their history (profiles and tags computed from it) and a win-back
 * campaign due at once: within a minute the sandbox's owner staff are asked to confirm coupons.
 */
export async function seedDemoMembers(db: Db, { now, config }: DemoContext): Promise<void> {
  const settings = config.members;
  const { members, orders } = demoMembers(now);
  await writeMembers(db, members, settings.phonePepper, now);
  for (let i = 0; i < orders.length; i += 2000) await writeOrders(db, orders.slice(i, i + 2000), now);
  await recomputeMembers({ db, clock: { now: () => now }, log: createLogger('silent') });
  const campaign = {
    id: 'demo-winback',
    name: '老客召回 · 5元券',
    priority: 10,
    segment: { tags: ['潜在流失'] },
    coupon: { kind: 'amount', value: 5, minSpend: 20, validDays: 7 },
    schedule: { once: now.toISOString() },
    holdoutShare: 0.1,
  };
  const outcome = await defineCampaigns(db, campaign, now, settings);
  if (!outcome.ok) throw new Error(`demo campaign does not validate: ${JSON.stringify(outcome.problems)}`);
}

/** The demo members who are WeCom contacts, for the sandbox's fake WeCom (it keeps contacts in memory). */
export async function demoContacts(db: Db): Promise<{ external_userid: string; name: string; follow_userid: string }[]> {
  const rows = await db.member.findMany({ where: { externalUserid: { not: null }, ownerUserid: { not: null } }, select: { externalUserid: true, name: true, ownerUserid: true } });
  return rows.map((r) => ({ external_userid: r.externalUserid!, name: r.name ?? '', follow_userid: r.ownerUserid! }));
}
