import type { BotContext, Messaging } from '../../bot/context';
import type { DbTx } from '../../db';
import { UserFacingError } from '../../bot/errors';
import type { Task } from '../../generated/prisma/client';
import { stateText, taskCard } from './cards';
import { ackTask, closeTask } from './engine';
import { cardFacts, type WalkSettings } from './walker';
import { TASK_ERRORS } from './keys';

/** 完成 on a task card: the task is done, and every card sent for it says so. */
export async function completeFromCard(ctx: BotContext): Promise<void> {
  const task = await tappedTask(ctx);
  const { changed, task: after } = await ctx.transaction((tx) => closeTask(tx.db, task, { state: 'done', by: ctx.message.fromUser, inboundId: ctx.message.id, now: ctx.clock.now() }));
  if (!changed) await alreadySettled(ctx, after);
}

/**
 * 知道了 on a task card: acknowledged, so the ladder stops; the tapper's card keeps a 完成 button
 * for when it is done (the card's own response_code is kept for that closing update).
 */
export async function acknowledgeFromCard(ctx: BotContext, settings: WalkSettings): Promise<void> {
  const task = await tappedTask(ctx);
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    const { changed, task: after } = await ackTask(tx.db, task, { by: ctx.message.fromUser, inboundId: ctx.message.id, now });
    if (!changed) return alreadySettled({ ...ctx, ...tx }, after);
    const card = taskCard(after, { ...(await cardFacts(tx.db, settings, after, now)), overdueMinutes: 0 }, { acknowledgedBy: ctx.staff?.name ?? ctx.message.fromUser });
    await tx.updateCard({ card });
  });
}

/** The task behind a tapped button — only for someone who was sent a card of it. */
async function tappedTask(ctx: BotContext): Promise<Task> {
  const task = /^\d+$/.test(ctx.keyArg) ? await ctx.db.task.findUnique({ where: { id: BigInt(ctx.keyArg) } }) : null;
  if (!task) throw new UserFacingError(TASK_ERRORS.unknownTask, '没有找到这个任务，它可能已被删除。');
  const card = await ctx.db.taskCard.findFirst({ where: { taskId: task.id, recipient: ctx.message.fromUser }, select: { id: true } });
  if (!card) throw new UserFacingError(TASK_ERRORS.notYourTask, '这个任务没有发给你，不能在这里处理。');
  return task;
}

async function alreadySettled(ctx: Pick<Messaging, 'reply' | 'updateCard'> & { db: DbTx }, task: Task): Promise<void> {
  const userid = task.state === 'acknowledged' ? task.acknowledgedBy : task.closedBy;
  const by = userid ? ((await ctx.db.staff.findUnique({ where: { userid }, select: { name: true } }))?.name ?? userid) : null;
  await ctx.reply(`这个任务${by ? `已由 ${by} ` : '已'}${task.state === 'acknowledged' ? '确认，正在处理' : `处理：${stateText(task.state)}`}。`);
  if (task.state !== 'acknowledged') await ctx.updateCard({ replaceName: stateText(task.state) });
}
