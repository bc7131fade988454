import { ackTask, closeTask, OPEN_STATES, stateText, taskKindText, type TaskAction, type TaskState } from '../../features/tasks';
import { ActionRefused, dateTime, type ConsoleSection } from './types';

/** Closed tasks stay on the page this long. */
const CLOSED_DAYS = 30;

/**
 * The store's tasks: everything open or acknowledged, and what closed in the last 30 days.
 * 知道了 and 完成 go through the task engine, like the buttons on the cards, so every card sent for
 * the task is updated too. A task whose card carries its feature's own buttons (去入库…) is
 * finished there, where the work is booked: the console only acknowledges it.
 */
export const tasksSection: ConsoleSection = {
  key: 'tasks',
  title: '任务',
  columns: [
    { key: 'title', label: '任务' },
    { key: 'kind', label: '类型', filter: 'select' },
    { key: 'assignee', label: '负责人', filter: 'select' },
    { key: 'due', label: '到期' },
    { key: 'overdue', label: '超时(分钟)' },
    { key: 'state', label: '状态', filter: 'select' },
  ],
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
  async act({ db, clock, staff }, storeCode, rowId, action) {
    const task = /^\d+$/.test(rowId) ? await db.task.findUnique({ where: { id: BigInt(rowId) } }) : null;
    // Another store's task is as unknown here as one that does not exist.
    if (!task || task.storeCode !== storeCode) throw new ActionRefused('unknown_task', '没有找到这个任务。', 404);
    const ref = { kind: task.kind, sourceRef: task.sourceRef };
    const opts = { by: staff.userid, now: clock.now(), note: '管理台' };
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
