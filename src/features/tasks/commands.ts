import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import { isManager } from '../../people';
import type { Staff } from '../../generated/prisma/client';
import { chainTimeText } from '../../timezone';
import { formatDuration, stateText } from './cards';
import { openTask } from './engine';
import { parseTaskCommand } from './parse';
import { announceTask, type WalkSettings } from './walker';
import { TASK_ERRORS } from './keys';

/** The kind of a task a manager gives in chat. */
export const MANUAL_KIND = 'tasks.manual';
const EXAMPLE = '例如：任务 明早9点前 清洁制冰机 @张三';
/** 我的任务 lists at most this many, soonest due first. */
const LIST_LIMIT = 20;

/**
 * `任务 明早9点前 清洁制冰机 @张三`: a manager gives a task. The deadline is read in the chain's
 * time zone; each person mentioned (by name or userid, among the store's staff) gets a task of
 * their own, announced at once; without a mention the store's staff on shift get it at the deadline.
 */
export async function giveTask(ctx: BotContext, settings: WalkSettings): Promise<void> {
  const sender = ctx.staff;
  if (!isManager(sender)) throw new UserFacingError(TASK_ERRORS.notManager, '只有店长、区域经理或管理员可以派任务。');
  const now = ctx.clock.now();
  const parsed = parseTaskCommand(ctx.args, now, settings.timezone);
  if (parsed === 'noTime') throw new UserFacingError(TASK_ERRORS.unreadableTime, `没看懂截止时间，${EXAMPLE}（也可以写“今天18点前”“周五前”“11月30日 10:00前”）`);
  if (parsed === 'noTitle') throw new UserFacingError(TASK_ERRORS.noTitle, `请写上要做什么，${EXAMPLE}`);
  if (typeof parsed === 'object' && 'unreadableTime' in parsed) {
    throw new UserFacingError(TASK_ERRORS.partlyReadTime, `没看懂截止时间「${parsed.unreadableTime}」，请换个写法，例如“下周三前”“12月20日 18:00前”“明天下午3点前”。`);
  }
  if (parsed.dueAt <= now) throw new UserFacingError(TASK_ERRORS.pastDue, `截止时间 ${chainTimeText(parsed.dueAt, settings.timezone)} 已经过去了，请写一个将来的时间。`);

  const people = await resolveMentions(ctx, sender, parsed.mentions);
  const storeCode = people[0]?.staff.storeCode ?? sender.storeCode;
  if (!storeCode) throw new UserFacingError(TASK_ERRORS.whichStore, `请用 @ 指定负责人，${EXAMPLE}`);
  if (people.some((p) => p.staff.storeCode !== storeCode)) throw new UserFacingError(TASK_ERRORS.severalStores, '一条任务只能派给同一家门店的人，请分开发。');
  const title = [parsed.title, ...people.map((p) => p.leftover)].filter(Boolean).join(' ');
  const assignees: (Staff | null)[] = people.length ? people.map((p) => p.staff) : [null];

  await ctx.transaction(async (tx) => {
    for (const assignee of assignees) {
      const task = await openTask(
        tx.db,
        {
          kind: MANUAL_KIND,
          // One task per message and person: WeCom's retry of the message opens nothing new.
          sourceRef: `chat:${ctx.message.id}${assignees.length > 1 ? `:${assignee!.userid}` : ''}`,
          storeCode,
          assignee: assignee?.userid ?? null,
          title,
          dueAt: parsed.dueAt,
        },
        { by: sender.userid, inboundId: ctx.message.id, now },
      );
      if (assignee) await announceTask(tx.db, settings, task, now);
    }
    const who = people.length ? people.map((p) => p.staff.name).join('、') : '当班同事（到时提醒）';
    const due = `${chainTimeText(parsed.dueAt, settings.timezone)}${parsed.timeGiven ? '' : '（只写了日期，按当天结束计）'}`;
    await tx.reply(`已派任务「${title}」给 ${who}，截止 ${due}。到时没完成会提醒，再超时会告诉店长。`);
  });
}

/** 我的任务: the sender's open and acknowledged tasks, soonest due first. */
export async function listMyTasks(ctx: BotContext, settings: WalkSettings): Promise<void> {
  const tasks = await ctx.db.task.findMany({
    where: { assignee: ctx.message.fromUser, state: { in: ['open', 'acknowledged'] } },
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
    take: LIST_LIMIT + 1,
  });
  if (tasks.length === 0) return ctx.reply('你现在没有待办任务。');
  const now = ctx.clock.now();
  const lines = tasks.slice(0, LIST_LIMIT).map((t, i) => {
    const late = now.getTime() - t.dueAt.getTime();
    const when = late > 0 ? `已超时 ${formatDuration(Math.max(1, Math.floor(late / 60_000)))}` : `截止 ${chainTimeText(t.dueAt, settings.timezone)}`;
    return `${i + 1}. ${t.title} · ${when}${t.state === 'acknowledged' ? ` · ${stateText(t.state)}` : ''}`;
  });
  const more = tasks.length > LIST_LIMIT ? `\n……还有更多，先处理上面这些。` : '';
  await ctx.reply(`你的待办（${Math.min(tasks.length, LIST_LIMIT)}${tasks.length > LIST_LIMIT ? '+' : ''}）：\n${lines.join('\n')}${more}\n在任务卡片上点「完成」或「知道了」。`);
}

/**
 * Each @ to one active member of staff, by exact name or userid — or by the longest name the
 * mention starts with (`@张三清洁` → 张三, `清洁` stays in the title). A store manager may only
 * name their own store's staff; an area manager, their area's.
 */
async function resolveMentions(ctx: BotContext, sender: Staff, mentions: string[]): Promise<{ staff: Staff; leftover: string }[]> {
  if (mentions.length === 0) return [];
  const scope = sender.role === 'store_manager' ? { storeCode: sender.storeCode } : sender.role === 'area_manager' ? { store: { area: sender.area } } : {};
  const candidates = await ctx.db.staff.findMany({ where: { active: true, storeCode: { not: null }, ...scope } });
  const where = sender.role === 'store_manager' ? '本店' : sender.role === 'area_manager' ? '你负责的门店' : '门店员工';
  const resolved: { staff: Staff; leftover: string }[] = [];
  for (const mention of mentions) {
    const exact = candidates.filter((s) => s.name === mention || s.userid === mention);
    const prefixed = exact.length ? [] : candidates.filter((s) => mention.startsWith(s.name)).sort((a, b) => b.name.length - a.name.length);
    const matches = exact.length ? exact : prefixed.filter((s) => s.name.length === prefixed[0]?.name.length);
    if (matches.length === 0) throw new UserFacingError(TASK_ERRORS.unknownPerson, `${where}里没有找到「${mention}」，请检查名字或用企业微信账号（userid）。`);
    if (matches.length > 1) throw new UserFacingError(TASK_ERRORS.ambiguousPerson, `有 ${matches.length} 位「${matches[0].name}」，请用账号指定：${matches.map((s) => `@${s.userid}`).join(' / ')}`);
    if (!resolved.some((r) => r.staff.userid === matches[0].userid)) resolved.push({ staff: matches[0], leftover: exact.length ? '' : mention.slice(matches[0].name.length) });
  }
  return resolved;
}
