import { z } from 'zod';
import { ActionRefused } from '../../console/types';
import type { Db } from '../../db';
import type { Staff, Task } from '../../generated/prisma/client';
import { parseLocalOrIso } from '../../timezone';
import { MANUAL_KIND } from './commands';
import { openTask } from './engine';
import { announceTask, type WalkSettings } from './walker';

/**
 * A task given from a store's console page: the same kind as the chat command's (`任务 … @张三`),
 * so the ladder, the reminder card and the timeliness score treat it alike.
 */
export const TaskForm = z.object({
  title: z
    .string({ error: '请填写任务内容。' })
    .trim()
    .min(1, { error: '请填写任务内容。' })
    .max(100, { error: '任务内容最多 100 个字。' })
    .regex(/^[^\r\n]*$/, { error: '任务内容只能写一行。' }),
  assignee: z.string({ error: '请选择负责人。' }).min(1, { error: '请选择负责人。' }),
  /** Wall clock in the chain's time zone (`2026-11-26T09:00`, what a datetime-local input sends), or ISO with an offset. */
  due: z.string({ error: '请填写截止时间。' }).min(1, { error: '请填写截止时间。' }),
  note: z.string().trim().max(500, { error: '备注最多 500 个字。' }).optional(),
  /**
   * Made by the page once per form it shows: a double tap, or a retry after a lost answer, sends
   * the same id and gets the same task back instead of a second one.
   */
  requestId: z.string({ error: '缺少请求编号，请刷新页面。' }).regex(/^[A-Za-z0-9_-]{8,64}$/, { error: '请求编号不对，请刷新页面。' }),
});
export type TaskFormInput = z.infer<typeof TaskForm>;

/** What the page is told about a field it got wrong: the error code is per problem, for machines. */
const FIELD_CODES: Record<string, string> = { title: 'empty_title', assignee: 'missing_assignee', due: 'bad_due', note: 'bad_note', requestId: 'bad_request_id' };

/** A form the console refuses: 400 unless said, with the problem's code and Chinese message. */
const refused = (code: string, reason: string, status = 400) => new ActionRefused(code, reason, status);

/** The first problem zod found, as a stable code (title too long is not "empty") and its Chinese message. */
export function formProblem(err: z.ZodError): ActionRefused {
  const issue = err.issues[0];
  const field = String(issue?.path[0] ?? '');
  const code = field === 'title' && issue.code !== 'too_small' && issue.code !== 'invalid_type' ? 'bad_title' : (FIELD_CODES[field] ?? 'bad_request');
  return refused(code, issue?.message ?? '请求内容不对。');
}

/**
 * Opens the task and, like the chat command, sends the assignee its card at once through the
 * outbox (in quiet hours the walker sends it at the due time). The source is the member's request
 * id, so the same request twice opens one task; `created` says which this was.
 */
export async function createTaskFromConsole(db: Db, settings: WalkSettings, input: { storeCode: string; by: Staff; form: TaskFormInput; now: Date }): Promise<{ task: Task; created: boolean }> {
  const { storeCode, by, form, now } = input;
  const dueAt = parseLocalOrIso(form.due, settings.timezone);
  if (!dueAt) throw refused('bad_due', '截止时间看不懂，请用日期和时间（例如 2026-11-26 09:00）。');
  if (dueAt.getTime() <= now.getTime()) throw refused('due_in_past', '截止时间已经过去了，请选一个将来的时间。');
  const assignee = await db.staff.findUnique({ where: { userid: form.assignee } });
  if (!assignee || !assignee.active) throw refused('unknown_assignee', '没有这位员工（或已停用）。');
  if (assignee.storeCode !== storeCode) throw refused('assignee_not_in_store', `${assignee.name} 不是这家门店的员工。`);
  const sourceRef = `console:${by.userid}:${form.requestId}`;
  return db.$transaction(async (tx) => {
    // Two submits of the same form at once: the second waits here and then finds the first's task.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`${MANUAL_KIND}:${sourceRef}`}))`;
    const before = await tx.task.findUnique({ where: { kind_sourceRef: { kind: MANUAL_KIND, sourceRef } } });
    if (before) {
      if (before.storeCode !== storeCode) throw refused('request_id_reused', '这个请求编号已用于另一家门店的任务，请刷新页面。', 409);
      return { task: before, created: false };
    }
    const task = await openTask(tx, { kind: MANUAL_KIND, sourceRef, storeCode, assignee: assignee.userid, title: form.title, detail: form.note || undefined, dueAt }, { by: by.userid, now });
    await announceTask(tx, settings, task, now);
    return { task, created: true };
  });
}
