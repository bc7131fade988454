import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import { verifyChain } from './log';
import { namesOf, visibleStores } from '../../people';
import { chainTimeText } from '../../timezone';
import { HANDOVER_ERRORS } from './keys';

/** How many handovers `交班记录` lists. */
const RECENT = 5;
export const STATE_TEXT: Record<string, string> = { filling: '填写中', choosing_incoming: '待选接班人', awaiting_incoming: '待接班确认', complete: '已完成', cancelled: '已取消' };

/**
 * `交班记录 [门店]`: a manager's view of a store's last handovers — who to whom, when, what was
 * flagged, skipped or disputed — and whether the store's log chain is intact.
 */
export async function showRecords(timezone: string, ctx: BotContext): Promise<void> {
  const visible = await visibleStores(ctx.db, ctx.staff);
  if (visible.length === 0) throw new UserFacingError(HANDOVER_ERRORS.managersOnly, '交班记录只有店长、区域经理和管理员能查看。');
  const wanted = ctx.args.trim();
  const matches = wanted ? visible.filter((s) => s.code.toLowerCase() === wanted.toLowerCase() || s.name.includes(wanted)) : visible;
  if (matches.length === 0) throw new UserFacingError(HANDOVER_ERRORS.unknownStore, `没有你能查看的门店「${wanted}」。可查看：${visible.map((s) => `${s.code} ${s.name}`).join('、')}`);
  if (matches.length > 1) throw new UserFacingError(HANDOVER_ERRORS.whichStore, `请写明门店，例如：交班记录 ${matches[0].code}。可查看：${matches.map((s) => `${s.code} ${s.name}`).join('、')}`);
  const store = matches[0];
  const handovers = await ctx.db.handover.findMany({ where: { storeCode: store.code }, orderBy: { id: 'desc' }, take: RECENT, include: { items: true } });
  const names = await namesOf(
    ctx.db,
    handovers.flatMap((h) => [h.outgoingUserid, ...(h.incomingUserid ? [h.incomingUserid] : [])]),
  );
  const chain = await verifyChain(ctx.db, store.code);
  const lines = handovers.map((h) => {
    const count = (pred: (i: (typeof h.items)[number]) => boolean) => h.items.filter(pred).length;
    const flags = [
      count((i) => i.status === 'flagged') && `异常 ${count((i) => i.status === 'flagged')} 项`,
      count((i) => i.status === 'skipped' || i.status === 'pending') && `未填 ${count((i) => i.status === 'skipped' || i.status === 'pending')} 项`,
      count((i) => i.confirmation === 'disputed') && `异议 ${count((i) => i.confirmation === 'disputed')} 项${h.resolvedAt ? '（已处理）' : ''}`,
    ].filter(Boolean);
    const who = `${names.get(h.outgoingUserid) ?? h.outgoingUserid}→${h.incomingUserid ? (names.get(h.incomingUserid) ?? h.incomingUserid) : '?'}`;
    return `#${h.id} ${chainTimeText(h.startedAt, timezone)} ${who} ${STATE_TEXT[h.state] ?? h.state}${flags.length ? `，${flags.join('，')}` : ''}`;
  });
  const check = chain.ok ? `记录链校验：完整（共 ${chain.entries} 条）` : `⚠️ 记录链校验失败：${chain.reason}，请联系管理员`;
  await ctx.reply(`${store.name} 最近的交班：\n${lines.length ? lines.join('\n') : '还没有交班记录'}\n${check}`);
}
