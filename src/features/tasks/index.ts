import type { Feature } from '../../bot/registry';
import { tasksSettings } from './settings';
import { seedTaskDemo } from './demo';
import { acknowledgeFromCard, completeFromCard } from './actions';
import { giveTask, listMyTasks } from './commands';
import { registerTasksConsole } from './console';
import { measureTaskTimeliness } from './score';
import { WALK_SCHEDULE, walkDue, type WalkSettings } from './walker';
import { TASK_CARDS } from './keys';

export { openTask, ackTask, closeTask, OPEN_STATES, type OpenTaskInput, type TaskRef, type TaskState } from './engine';
export { stateText, type TaskAction } from './cards';
export { taskKindText } from './kinds';

/**
 * Tasks: every reminder, escalation and work order of the bot. Features open and close tasks
 * (openTask / ackTask / closeTask, inside their own transactions); one job, tasks.walkDue, reminds
 * the assignee at the due time and walks the escalation ladder. The engine's own card buttons
 * (完成 / 知道了) close or acknowledge the task from the card.
 */
export const tasksFeature: Feature = {
  name: 'tasks',
  settings: tasksSettings,
  demo: seedTaskDemo,
  register(bot) {
    const settings: WalkSettings = { timezone: bot.config.timezone, tasks: bot.config.tasks };
    bot.command('任务', (ctx) => giveTask(ctx, settings), '派任务（店长）：任务 明早9点前 清洁制冰机 @张三');
    bot.command('我的任务', (ctx) => listMyTasks(ctx, settings), '我的待办任务');
    bot.card(TASK_CARDS.done, (ctx) => completeFromCard(ctx));
    bot.card(TASK_CARDS.ack, (ctx) => acknowledgeFromCard(ctx, settings));
    bot.scorePart('taskTimeliness', measureTaskTimeliness);
    registerTasksConsole(bot);
    bot.cron('tasks.walkDue', WALK_SCHEDULE, async (job) => {
      await walkDue({ ...settings, db: job.db, log: job.log }, job.clock.now());
    });
  },
};
