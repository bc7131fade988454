import type { DbTx } from '../../db';
import type { Prisma, Task } from '../../generated/prisma/client';
import { cancelUnsent, relabelSentCards } from '../../platform/outbox';
import { closedLabel, type TaskAction } from './cards';

export type TaskState = 'open' | 'acknowledged' | 'done' | 'cancelled' | 'expired';
export type ClosedState = 'done' | 'cancelled' | 'expired';

export interface OpenTaskInput {
  /** `<feature>.<what>`: for reports, ladders and the console's filter. */
  kind: string;
  /** What the task is about; with `kind` it identifies the task. */
  sourceRef: string;
  storeCode: string;
  /** WeCom userid; null: the store's staff on shift, else its store manager. */
  assignee: string | null;
  /** Chinese, one line. */
  title: string;
  detail?: string;
  /** When the assignee is reminded (now: at the walker's next run, within a minute). */
  dueAt: Date;
  /** An escalation ladder from TASK_LADDERS; `default` when absent. */
  ladder?: string;
  /** Buttons handled by the opening feature; without them the card has the engine's 完成 / 知道了. */
  actions?: TaskAction[];
}

export interface TaskRef {
  kind: string;
  sourceRef: string;
}

export interface ChangeOptions {
  /** Who did it (WeCom userid); null for the bot itself (an import, the walker). */
  by: string | null;
  note?: string;
  /** The inbound message it came from, for the task's history. */
  inboundId?: string;
  /**
   * The caller's clock (ctx.clock.now() / job.clock.now()): pass it. Without it the database's
   * transaction time is used, which a test's TestClock does not move.
   */
  now?: Date;
}

export const OPEN_STATES: TaskState[] = ['open', 'acknowledged'];
const MAX_ACTIONS = 5;
/** WeCom's limit on a button key. */
const MAX_KEY_BYTES = 128;

/** A programming mistake of the opening feature, not something staff can fix. */
export class InvalidTaskError extends Error {
  constructor(problem: string) {
    super(`openTask: ${problem}`);
    this.name = 'InvalidTaskError';
  }
}

/**
 * Opens a task, inside the caller's transaction. Idempotent: (kind, sourceRef) is unique, so a
 * second call (a WeCom retry, a job re-run) returns the task already there, whatever its state.
 */
export async function openTask(db: DbTx, input: OpenTaskInput, opts: { by?: string; inboundId?: string; now?: Date } = {}): Promise<Task> {
  checkInput(input);
  const now = opts.now ?? (await databaseNow(db));
  const [created] = await db.task.createManyAndReturn({
    data: [
      {
        kind: input.kind,
        sourceRef: input.sourceRef,
        storeCode: input.storeCode,
        assignee: input.assignee,
        title: input.title.trim(),
        detail: input.detail?.trim() || null,
        dueAt: input.dueAt,
        ladder: input.ladder ?? 'default',
        actions: (input.actions ?? []) as unknown as Prisma.InputJsonArray,
        createdBy: opts.by ?? null,
        nextNoticeAt: input.dueAt,
        createdAt: now,
      },
    ],
    skipDuplicates: true,
  });
  if (!created) return db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: input.kind, sourceRef: input.sourceRef } } });
  await db.taskEvent.create({
    data: { taskId: created.id, action: 'opened', toState: 'open', by: opts.by ?? null, inboundId: inboundIdOf(opts.inboundId), at: created.createdAt },
  });
  return created;
}

/** Someone has seen the task and is on it: reminders and escalation stop. Open tasks only. */
export async function ackTask(db: DbTx, ref: TaskRef, opts: ChangeOptions): Promise<{ task: Task; changed: boolean }> {
  const task = await lockTask(db, ref);
  if (task.state !== 'open') return { task, changed: false };
  const now = opts.now ?? (await databaseNow(db));
  const updated = await db.task.update({
    where: { id: task.id },
    data: { state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: opts.by, nextNoticeAt: null },
  });
  await recordChange(db, task, 'acknowledged', opts, now);
  return { task: updated, changed: true };
}

/**
 * Closes an open or acknowledged task (done, cancelled, expired). Closing twice changes nothing.
 * Every card sent for it is updated in place for everyone who got it.
 */
export async function closeTask(db: DbTx, ref: TaskRef, opts: ChangeOptions & { state: ClosedState }): Promise<{ task: Task; changed: boolean }> {
  const task = await lockTask(db, ref);
  if (!OPEN_STATES.includes(task.state as TaskState)) return { task, changed: false };
  const now = opts.now ?? (await databaseNow(db));
  const updated = await db.task.update({
    where: { id: task.id },
    data: { state: opts.state, closedAt: now, closedBy: opts.by, nextNoticeAt: null },
  });
  await recordChange(db, task, opts.state, opts, now);
  await finalizeCards(db, updated, now);
  return { task: updated, changed: true };
}

/**
 * Rewrites every card of a closed task not yet rewritten: cards WeCom has accepted get
 * update_template_card with the response_code it gave for them (single-use, valid 72 h); cards
 * still waiting in the outbox are withdrawn. Cards being sent right now are left for the
 * walker's next run. Runs under the task's row lock (the caller's transaction).
 */
export async function finalizeCards(db: DbTx, task: Task, now: Date): Promise<number> {
  const cards = await db.taskCard.findMany({ where: { taskId: task.id, finalizedAt: null }, orderBy: { id: 'asc' } });
  if (cards.length === 0) return 0;
  const outbox = await db.outboxMessage.findMany({
    where: { idempotencyKey: { in: cards.map((c) => c.outboxKey) } },
    select: { idempotencyKey: true, status: true, responseCode: true, sentAt: true },
  });
  const byKey = new Map(outbox.map((o) => [o.idempotencyKey!, o]));
  const withdrawn = new Set(
    await cancelUnsent(
      db,
      cards.filter((c) => byKey.get(c.outboxKey)?.status === 'pending').map((c) => c.outboxKey),
      `task ${task.id} closed before the card went out`,
    ),
  );
  const done = cards.filter((card) => {
    const status = byKey.get(card.outboxKey)?.status;
    return !(status === 'sending' || (status === 'pending' && !withdrawn.has(card.outboxKey)));
  });
  const updated = await relabelSentCards(
    db,
    done.map((card) => ({ ...byKey.get(card.outboxKey), key: card.outboxKey, recipient: card.recipient })),
    closedLabel(task),
    'closed',
    now,
  );
  await db.taskCard.updateMany({ where: { id: { in: done.map((card) => card.id) } }, data: { finalizedAt: now } });
  return updated;
}

async function lockTask(db: DbTx, ref: TaskRef): Promise<Task> {
  // The row lock orders a tap, a feature's close and the walker on the same task.
  const locked = await db.$queryRaw<{ id: bigint }[]>`SELECT id FROM task WHERE kind = ${ref.kind} AND source_ref = ${ref.sourceRef} FOR UPDATE`;
  if (locked.length === 0) throw new Error(`no task ${ref.kind} ${ref.sourceRef}`);
  return db.task.findUniqueOrThrow({ where: { id: locked[0].id } });
}

async function recordChange(db: DbTx, task: Task, toState: TaskState, opts: ChangeOptions, at: Date): Promise<void> {
  await db.taskEvent.create({
    data: { taskId: task.id, action: toState, fromState: task.state, toState, by: opts.by, inboundId: inboundIdOf(opts.inboundId), note: opts.note ?? null, at },
  });
}

/** For callers that pass no clock: the transaction's own time, the same for every row it writes. */
async function databaseNow(db: DbTx): Promise<Date> {
  const [row] = await db.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
  return row.now;
}

function inboundIdOf(id: string | undefined): bigint | null {
  return id && /^\d+$/.test(id) ? BigInt(id) : null;
}

function checkInput(input: OpenTaskInput): void {
  const problems: string[] = [];
  if (!/^[a-z][A-Za-z0-9]*\.[A-Za-z0-9.]+$/.test(input.kind)) problems.push(`kind "${input.kind}" is not <feature>.<what>`);
  if (!input.sourceRef.trim()) problems.push('sourceRef is empty');
  if (!input.title.trim() || /[\r\n]/.test(input.title)) problems.push('title must be one non-empty line');
  if (Number.isNaN(input.dueAt.getTime())) problems.push('dueAt is not a date');
  const actions = input.actions ?? [];
  if (actions.length > MAX_ACTIONS) problems.push(`at most ${MAX_ACTIONS} actions`);
  for (const a of actions) {
    if (!a.label.trim() || !a.key.trim()) problems.push('an action needs a key and a label');
    if (Buffer.byteLength(a.key) > MAX_KEY_BYTES) problems.push(`action key ${a.key} is over ${MAX_KEY_BYTES} bytes`);
    if (a.key.startsWith('tasks.')) problems.push(`action key ${a.key}: tasks.* keys are the engine's own`);
  }
  if (problems.length) throw new InvalidTaskError(problems.join('; '));
}
