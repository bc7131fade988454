import type { TaskConfig } from './settings';
import type { Db, DbTx } from '../../db';
import type { Task } from '../../generated/prisma/client';
import type { Logger } from '../../log';
import { enqueue } from '../../platform/outbox';
import { templateCard } from '../../platform/outbound';
import { taskCard, type CardFacts } from './cards';
import { closeTask, finalizeCards } from './engine';
import { inQuietHours, ladderFor, nextNoticeAt, quietHoursEnd } from './ladder';
import { audience, reachableNow } from './people';

/** Every minute: reminders at due time, the escalation ladder, expiry, and cards left to update. */
export const WALK_SCHEDULE = '* * * * *';
/** Tasks handled per run; the rest wait a minute (a backlog after downtime drains over a few runs). */
const BATCH = 500;

export interface WalkSettings {
  timezone: string;
  tasks: TaskConfig;
}

export interface WalkDeps extends WalkSettings {
  db: Db;
  log: Logger;
}

/**
 * One pass of `tasks.walkDue`. Each task is handled in its own transaction under its row lock
 * (SKIP LOCKED: a replica walking the same task moves on), and each (task, step) is written to
 * task_notice under its primary key before its cards are enqueued — so no step goes out twice,
 * whichever replica or restart gets there.
 */
export async function walkDue(deps: WalkDeps, now: Date): Promise<{ notified: number; expired: number; finalized: number }> {
  let expired = 0;
  for (const id of await expiringTaskIds(deps, now)) {
    await perTask(deps, id, async (tx) => {
      const task = await tx.task.findUniqueOrThrow({ where: { id } });
      const { changed } = await closeTask(tx, task, { state: 'expired', by: null, note: '超过期限未处理', now });
      if (changed) expired++;
    });
  }

  let notified = 0;
  const due = await deps.db.task.findMany({ where: { state: 'open', nextNoticeAt: { lte: now } }, select: { id: true }, orderBy: { nextNoticeAt: 'asc' }, take: BATCH });
  for (const { id } of due) {
    await perTask(deps, id, async (tx) => {
      notified += await sendDueStep(tx, deps, id, now);
    });
  }

  // Cards that were on their way to WeCom when their task closed: now they have a response_code.
  let finalized = 0;
  const left = await deps.db.$queryRaw<{ task_id: bigint }[]>`
    SELECT DISTINCT c.task_id FROM task_card c JOIN task t ON t.id = c.task_id
    WHERE c.finalized_at IS NULL AND t.state IN ('done', 'cancelled', 'expired') LIMIT ${BATCH}`;
  for (const { task_id: id } of left) {
    await perTask(deps, id, async (tx) => {
      const [locked] = await tx.$queryRaw<{ id: bigint }[]>`SELECT id FROM task WHERE id = ${id} FOR UPDATE`;
      if (locked) finalized += await finalizeCards(tx, await tx.task.findUniqueOrThrow({ where: { id } }), now);
    });
  }
  if (notified || expired || finalized) deps.log.info({ notified, expired, finalized }, 'tasks walked');
  return { notified, expired, finalized };
}

/**
 * Sends the task's next ladder step if it is due (and not held back by quiet hours); returns how
 * many cards it enqueued. Also what the chat command calls right after opening a task due now.
 */
export async function sendDueStep(tx: DbTx, settings: WalkSettings, id: bigint, now: Date): Promise<number> {
  const [row] = await tx.$queryRaw<{ id: bigint }[]>`
    SELECT id FROM task WHERE id = ${id} AND state = 'open' AND next_notice_at <= ${now} FOR UPDATE SKIP LOCKED`;
  if (!row) return 0;
  const task = await tx.task.findUniqueOrThrow({ where: { id } });
  const ladder = ladderFor(settings.tasks, task.ladder);
  const quiet = settings.tasks.quietHours;
  if (ladder.quietHours && quiet && inQuietHours(now, settings.timezone, quiet)) {
    // Held until the quiet hours end, so the night's walks do not pick the task up again and again.
    await tx.task.update({ where: { id }, data: { nextNoticeAt: quietHoursEnd(now, settings.timezone, quiet) } });
    return 0;
  }
  const stepIndex = task.nextStep;
  const step = ladder.steps[stepIndex];
  if (!step) {
    await tx.task.update({ where: { id }, data: { nextNoticeAt: null } });
    return 0;
  }
  const already = new Set((await tx.taskCard.findMany({ where: { taskId: id, step: { gte: 0 } }, select: { recipient: true } })).map((c) => c.recipient));
  // Someone an earlier step reached (a manager who assigned the task to themselves) is not pinged again.
  const everyone = (await audience(tx, task, step.notify, now)).filter((r) => !already.has(r.userid));
  const { now: recipients, deferUntil } = await reachableNow(tx, everyone, now);
  if (deferUntil) {
    await tx.task.update({ where: { id }, data: { nextNoticeAt: deferUntil } });
    return 0;
  }
  const claimed = await tx.taskNotice.createMany({ data: [{ taskId: id, step: stepIndex, recipients: recipients.map((r) => r.userid), sentAt: now }], skipDuplicates: true });
  let sent = 0;
  if (claimed.count === 1 && recipients.length) {
    sent = await sendCards(
      tx,
      settings,
      task,
      stepIndex,
      recipients.map((r) => r.userid),
      now,
    );
  }
  await tx.task.update({ where: { id }, data: { nextStep: stepIndex + 1, nextNoticeAt: nextNoticeAt(ladder, stepIndex, task.dueAt, now) } });
  return sent;
}

/** The step number of the card announcing a task when it is given, before any ladder step. */
export const ANNOUNCE_STEP = -1;

/**
 * Tells the assignee about a task at once (a task given in chat), with the same card and buttons
 * the reminder has; the ladder still reminds at the due time. Not during quiet hours: then the
 * reminder is the first they hear of it.
 */
export async function announceTask(tx: DbTx, settings: WalkSettings, task: Task, now: Date): Promise<number> {
  const ladder = ladderFor(settings.tasks, task.ladder);
  if (!task.assignee || (ladder.quietHours && inQuietHours(now, settings.timezone, settings.tasks.quietHours))) return 0;
  return sendCards(tx, settings, task, ANNOUNCE_STEP, [task.assignee], now);
}

async function sendCards(tx: DbTx, settings: WalkSettings, task: Task, step: number, to: string[], now: Date): Promise<number> {
  const card = taskCard(task, await cardFacts(tx, settings, task, now));
  const cards = to.map((recipient) => ({ taskId: task.id, step, recipient, outboxKey: `task:${task.id}:step:${step}:${recipient}`, sentAt: now }));
  await tx.taskCard.createMany({ data: cards, skipDuplicates: true });
  return enqueue(
    tx,
    cards.map((c) => ({ to: c.recipient, content: templateCard(card), idempotencyKey: c.outboxKey })),
    now,
  );
}

/** What a task's card shows besides the task itself, as of `now`. */
export async function cardFacts(db: DbTx, settings: WalkSettings, task: Task, now: Date): Promise<CardFacts> {
  const store = await db.store.findUnique({ where: { code: task.storeCode }, select: { name: true } });
  const assignee = task.assignee ? await db.staff.findUnique({ where: { userid: task.assignee }, select: { name: true } }) : null;
  return {
    storeName: store?.name ?? task.storeCode,
    timezone: settings.timezone,
    assigneeName: assignee?.name ?? task.assignee,
    overdueMinutes: Math.max(0, Math.floor((now.getTime() - task.dueAt.getTime()) / 60_000)),
  };
}

/** Open or acknowledged tasks past their ladder's expiry. */
async function expiringTaskIds(deps: WalkDeps, now: Date): Promise<bigint[]> {
  const ids: bigint[] = [];
  const named = Object.keys(deps.tasks.ladders);
  for (const [name, ladder] of Object.entries(deps.tasks.ladders)) {
    if (!ladder.expireAfterMinutes) continue;
    const before = new Date(now.getTime() - ladder.expireAfterMinutes * 60_000);
    // Tasks naming a ladder no longer configured walk `default`, so they expire with it too.
    const ladderFilter = name === 'default' ? { OR: [{ ladder: 'default' }, { ladder: { notIn: named } }] } : { ladder: name };
    const rows = await deps.db.task.findMany({ where: { state: { in: ['open', 'acknowledged'] }, dueAt: { lt: before }, ...ladderFilter }, select: { id: true }, take: BATCH });
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

/** One task's work in its own transaction; a failure is logged and the walk goes on. */
async function perTask(deps: WalkDeps, id: bigint, work: (tx: DbTx) => Promise<void>): Promise<void> {
  try {
    await deps.db.$transaction((tx) => work(tx));
  } catch (err) {
    deps.log.error({ err, taskId: String(id) }, 'task walk failed for this task; the next run tries again');
  }
}
