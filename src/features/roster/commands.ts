import type { BotContext } from '../../bot/context';
import { requireOwnStore } from '../../people';
import { addDays, chainDate } from '../../timezone';
import { ROSTER_ERRORS } from './keys';
import { dayText, hoursText, plannedShifts } from './schedule';

/** The days `排班` takes after it; nothing is today. */
const DAY_WORDS: Record<string, number> = { '': 0, 今天: 0, 今日: 0, 明天: 1, 明日: 1, 后天: 2 };

/** `排班` / `排班 明天`: the sender's store's shifts of that day, who is in now marked 在岗. */
export async function showStoreRoster(ctx: BotContext): Promise<void> {
  const offset = DAY_WORDS[ctx.args];
  if (offset === undefined) return ctx.reply(`没看懂「${ctx.args}」。发送「排班」看本店今天的班，「排班 明天」看明天的，「我的班」看你自己接下来的班。`);
  const store = await requireOwnStore(ctx, ROSTER_ERRORS.noStore, '看排班要先有门店，');
  const { timezone } = ctx.config;
  const now = ctx.clock.now();
  const date = addDays(chainDate(now, timezone), offset);
  const shifts = await plannedShifts(ctx.db, { storeCode: store.code }, date, 1, timezone);
  const title = `${store.name} ${offset === 0 ? '今天' : offset === 1 ? '明天' : '后天'}（${dayText(date)}）`;
  if (shifts.length === 0) return ctx.reply(`${title}没有排班：还没导入班表，或这天不营业。`);
  const lines = shifts.map((s) => `· ${hoursText(s, timezone)} ${s.name}${s.startsAt <= now && s.endsAt > now ? '（在岗）' : ''}`);
  await ctx.reply([`${title}的排班：`, ...lines].join('\n'));
}

/** `我的班`: the sender's own shifts over the next ROSTER_DAYS days, in any store. */
export async function showMyShifts(ctx: BotContext): Promise<void> {
  const { timezone, roster } = ctx.config;
  const shifts = await plannedShifts(ctx.db, { userid: ctx.message.fromUser }, chainDate(ctx.clock.now(), timezone), roster.days, timezone);
  if (shifts.length === 0) return ctx.reply(`你接下来 ${roster.days} 天没有排班。`);
  const lines = shifts.map((s) => `· ${dayText(chainDate(s.startsAt, timezone))} ${hoursText(s, timezone)} ${s.storeName}`);
  await ctx.reply([`你接下来 ${roster.days} 天的班：`, ...lines].join('\n'));
}
