import type { DemoContext } from '../../../bot/registry';
import type { Db } from '../../../db';
import { createLogger } from '../../../log';
import { chainDate, startOfChainDate } from '../../../timezone';
import { syncMoves } from '../sync';

/** How many drinks and pastries each demo store sells on an ordinary day. */
const DAILY_SALES: Record<string, number> = { S001: 48, S002: 30 };
const DAYS = 3;
/** Sold in 一店 but not on the menu yet: the console's 未映射的销售 and the managers' alert show it. */
const UNMAPPED = { item: 'COCO_LATTE', name: '生椰拿铁' };
/** What customers ask for, taken only where the item's recipe has it (加珍珠 is not offered on a fruit tea). */
const MODIFIER_CHOICES = [[], [], ['大杯'], ['少冰'], ['大杯', '少糖'], ['去冰'], ['少糖'], ['加珍珠'], ['热饮'], ['去奶盖']];

/**
 * A few days of the till's sales for the demo stores, posted through the same sales document a
 * POS posts (each hour's document as the till would have sent it then), so the ingredients of
 * menu items are consumed by their recipes, the forecast has history, and one item sold without
 * a recipe waits to be mapped. Deterministic: the same sales on every seed.
 */
export async function seedPosDemo(db: Db, { now, config }: DemoContext): Promise<void> {
  const menu = await db.menuItem.findMany({ orderBy: { code: 'asc' } });
  const drinks = menu.filter((m) => m.category !== '烘焙');
  const bakery = menu.filter((m) => m.category === '烘焙');
  const offered = new Map<string, Set<string>>();
  for (const l of await db.recipeLine.findMany({ where: { modifier: { not: '' } }, select: { modifier: true, recipe: { select: { product: true } } } })) {
    offered.set(l.recipe.product, (offered.get(l.recipe.product) ?? new Set()).add(l.modifier));
  }
  let seed = 20261204;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const post = syncMoves('sales');
  const log = createLogger('silent');
  const today = startOfChainDate(chainDate(now, config.timezone), config.timezone);
  for (let day = DAYS; day >= 1; day--) {
    const date = new Date(today.getTime() - day * 86_400_000);
    for (const [store, perDay] of Object.entries(DAILY_SALES)) {
      // The till posts a document at the end of each four-hour block of the day.
      for (const hour of [14, 18, 22]) {
        const at = new Date(date.getTime() + hour * 3_600_000 - 5 * 60_000);
        const lines: Record<string, unknown>[] = [];
        for (let n = Math.round((perDay / 3) * (0.7 + 0.6 * random())); n > 0; n--) {
          const item = random() < 0.2 ? pick(bakery) : pick(drinks);
          const modifiers = pick(MODIFIER_CHOICES).filter((m) => offered.get(item.code)?.has(m));
          lines.push({ item: item.code, modifiers, quantity: 1, amount: Number(item.price ?? 0) });
        }
        if (store === 'S001') lines.push({ item: UNMAPPED.item, name: UNMAPPED.name, quantity: 1, amount: 19 });
        const body = JSON.stringify([{ id: `DEMO-${store}-${chainDate(date, config.timezone)}-${hour}`, store, occurred_at: at.toISOString(), lines }]);
        // Posted as the till would have posted it, two minutes after the block's last sale.
        const outcome = await post({ db, body, source: 'pos', clock: { now: () => new Date(at.getTime() + 2 * 60_000) }, config, log });
        if (!outcome.accepted) throw new Error(`demo sales do not book: ${outcome.problems.map((p) => p.message).join('; ')}`);
      }
    }
  }
}
