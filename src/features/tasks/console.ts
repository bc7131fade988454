import type { BotRegistry } from '../../bot/registry';
import { ActionRefused, columns, dateTime, type ConsoleSection } from '../../console/types';
import { roleName } from '../../people';
import { stateText, type TaskAction } from './cards';
import { ackTask, closeTask, OPEN_STATES, type TaskState } from './engine';
import { taskKindText } from './kinds';
import { createTaskFromConsole, formProblem, TaskForm } from './task-form';

/** Closed tasks stay on the page this long. */
const CLOSED_DAYS = 30;

/**
 * The store's tasks: everything open or acknowledged, and what closed in the last 30 days.
 * 知道了 and 完成 go through the task engine, like the buttons on the cards, so every card sent for
 * the task is updated too. A task whose card carries its feature's own buttons (去入库…) is
 * finished there, where the work is booked: the console only acknowledges it.
 */
const tasksSection: ConsoleSection = {
  key: 'tasks',
  title: '任务',
  order: 10,
  columns: columns({ title: '任务', kind: ['类型', 'select'], assignee: ['负责人', 'select'], due: '到期', overdue: '超时(分钟)', state: ['状态', 'select'] }),
  async rows({ db, clock, timezone }, storeCode) {
    const now = clock.now();
    const tasks = await db.task.findMany({
      where: { storeCode, OR: [{ state: { in: OPEN_STATES } }, { closedAt: { gte: new Date(now.getTime() - CLOSED_DAYS * 86_400_000) } }] },
      orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
      take: 1000,
    });
    const names = new Map(
      (await db.staff.findMany({ where: { userid: { in: tasks.flatMap((t) => (t.assignee ? [t.assignee] : [])) } }, select: { userid: true, name: true } })).map((s) => [s.userid, s.name]),
    );
    const open = (t: (typeof tasks)[number]) => OPEN_STATES.includes(t.state as TaskState);
    // Open first (most overdue first), then the closed ones, newest first.
    tasks.sort((a, b) => Number(open(b)) - Number(open(a)) || (open(a) ? a.dueAt.getTime() - b.dueAt.getTime() : (b.closedAt?.getTime() ?? 0) - (a.closedAt?.getTime() ?? 0)));
    return tasks.map((t) => {
      const ownButtons = (t.actions as unknown as TaskAction[]).length > 0;
      const actions = t.state === 'open' ? [{ key: 'ack', label: '知道了' }] : [];
      if (open(t) && !ownButtons) actions.push({ key: 'done', label: '完成' });
      const overdue = open(t) ? Math.floor((now.getTime() - t.dueAt.getTime()) / 60_000) : null;
      return {
        id: String(t.id),
        cells: {
          title: t.title,
          kind: taskKindText(t.kind),
          assignee: t.assignee ? (names.get(t.assignee) ?? t.assignee) : '当班人员',
          due: dateTime(t.dueAt, timezone),
          overdue: overdue !== null && overdue > 0 ? overdue : null,
          state: stateText(t.state),
        },
        actions,
      };
    });
  },
  async act({ db, clock, viewer }, storeCode, rowId, action) {
    const task = /^\d+$/.test(rowId) ? await db.task.findUnique({ where: { id: BigInt(rowId) } }) : null;
    // Another store's task is as unknown here as one that does not exist.
    if (!task || task.storeCode !== storeCode) throw new ActionRefused('unknown_task', '没有找到这个任务。', 404);
    const ref = { kind: task.kind, sourceRef: task.sourceRef };
    const opts = { by: viewer.userid, now: clock.now(), note: '管理台' };
    if (action === 'ack') {
      const { changed, task: after } = await db.$transaction((tx) => ackTask(tx, ref, opts));
      if (!changed) throw new ActionRefused('already_settled', `这个任务已经是「${stateText(after.state)}」了。`);
      return;
    }
    if (action === 'done') {
      if ((task.actions as unknown as TaskAction[]).length > 0) throw new ActionRefused('finish_on_card', '这个任务要在卡片上办理（例如去入库），办完会自动完成。');
      const { changed, task: after } = await db.$transaction((tx) => closeTask(tx, ref, { ...opts, state: 'done' }));
      if (!changed) throw new ActionRefused('already_settled', `这个任务已经是「${stateText(after.state)}」了。`);
      return;
    }
    throw new ActionRefused('unknown_action', '没有这个操作。', 404);
  },
};

/**
 * The tasks of a store's console page: its table, and the form that gives a task (who it can go
 * to, and the task given, as `任务 … @张三` in chat).
 */
export function registerTasksConsole(bot: BotRegistry): void {
  bot.consoleSection(tasksSection);
  bot.consoleApi({
    method: 'GET',
    scope: 'store',
    path: '/staff',
    async handler({ db, config, store }) {
      const staff = await db.staff.findMany({ where: { storeCode: store.code, active: true }, select: { userid: true, name: true, role: true }, orderBy: [{ role: 'asc' }, { userid: 'asc' }] });
      return { body: { timezone: config.timezone, staff: staff.map((s) => ({ ...s, roleName: roleName(s.role) })) } };
    },
  });
  bot.consoleApi({
    method: 'POST',
    scope: 'store',
    path: '/tasks',
    async handler({ db, clock, config, staff, store, body }) {
      const form = TaskForm.safeParse(body);
      if (!form.success) throw formProblem(form.error);
      const { task, created } = await createTaskFromConsole(db, { timezone: config.timezone, tasks: config.tasks }, { storeCode: store.code, by: staff, form: form.data, now: clock.now() });
      return { status: created ? 201 : 200, body: { id: String(task.id), title: task.title, assignee: task.assignee, dueAt: task.dueAt.toISOString(), state: task.state, created } };
    },
  });
}
