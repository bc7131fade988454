import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import { managesStore, requireOwnStore } from '../../people';
import { STOCK_ERRORS } from './keys';

/** Which store a stock message is about: the sender's own, or one a manager over several names. */

export type StoreRef = { code: string; name: string; aliases: string[] };

/** Code, name or alias exactly; then names and aliases containing the text. Never a guess among several. */
export function matchStore(text: string, stores: StoreRef[]): { kind: 'found'; store: StoreRef } | { kind: 'ambiguous'; candidates: StoreRef[] } | { kind: 'unknown' } {
  const t = text.trim();
  const exact = stores.filter((s) => s.code.toLowerCase() === t.toLowerCase() || s.name === t || s.aliases.includes(t));
  if (exact.length === 1) return { kind: 'found', store: exact[0] };
  const containing = exact.length > 1 ? exact : stores.filter((s) => [s.name, ...s.aliases].some((n) => n.includes(t)));
  if (containing.length === 1) return { kind: 'found', store: containing[0] };
  return containing.length > 1 ? { kind: 'ambiguous', candidates: containing } : { kind: 'unknown' };
}

/** The sender's own store: every entry of theirs is booked in it. */
export const requireStore = (ctx: BotContext) => requireOwnStore(ctx, STOCK_ERRORS.noStore, '记账前');

/**
 * The store a command acts on. An area manager or admin looks after several stores and names one
 * first (`开始盘点 二店 乳品`, `查库存 二店 奶油`), which is then taken off `words`; they may act
 * for it if they are among its management (people.ts: an area manager only a store of their
 * area, and only while active — a manager who left acts for no store but their own). Everyone
 * else acts on their own store. `example` is the command with a store, for an area manager or
 * admin who named none and has no store of their own.
 */
export async function actingStore(ctx: BotContext, words: string[], example: string): Promise<{ code: string; name: string }> {
  const person = ctx.staff;
  const overSeveral = person?.role === 'area_manager' || person?.role === 'admin';
  if (overSeveral && words.length > 0) {
    const stores = await ctx.db.store.findMany({ select: { code: true, name: true, aliases: true } });
    const match = matchStore(words[0], stores);
    if (match.kind === 'found') {
      const store = match.store;
      if (!(await managesStore(ctx.db, person, store.code))) {
        if (!person.active) throw new UserFacingError(STOCK_ERRORS.inactiveManager, `你在员工名单里已停用，不能查看和操作${store.name}。如有误请联系管理员。`);
        throw new UserFacingError(STOCK_ERRORS.storeNotInArea, `${store.name}不在你负责的区域（${person.area ?? '未设置区域'}），只能查看和操作本区域的门店。`);
      }
      words.shift();
      return store;
    }
  }
  if (overSeveral && !person.storeCode) throw new UserFacingError(STOCK_ERRORS.storeMissing, `请先写门店，例如：${example}`);
  return requireStore(ctx);
}
