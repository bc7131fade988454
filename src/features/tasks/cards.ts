import type { Task } from '../../generated/prisma/client';
import type { TemplateCard } from '../../platform/outbound';
import { chainTimeText } from '../../timezone';
import { TASK_CARDS } from './keys';

/**
 * The task's cards: what they show and which buttons they have. The engine imports this file (a
 * closed task's cards are relabelled with closedLabel) and this file imports none of the engine,
 * so each can be read on its own.
 */

/** A card button the opening feature answers with its own bot.card(...) handler. */
export interface TaskAction {
  key: string;
  label: string;
}

const STATE_TEXT: Record<string, string> = { open: '待处理', acknowledged: '处理中', done: '已完成', cancelled: '已取消', expired: '已过期' };
/** WeCom cuts a card's main title at 36 characters; we cut first, visibly. */
const TITLE_CHARS = 36;

export const stateText = (state: string) => STATE_TEXT[state] ?? state;

/** What the greyed-out buttons of a closed task's cards say. */
export function closedLabel(task: Pick<Task, 'state'>): string {
  return stateText(task.state);
}

export interface CardFacts {
  storeName: string;
  timezone: string;
  /** The assignee's name (for escalations: whose task it is); null: nobody in particular. */
  assigneeName: string | null;
  /** Minutes past due when this step goes out; 0 for the reminder at due time. */
  overdueMinutes: number;
}

/** The card a ladder step sends: title, store and due time, and the buttons to act on it. */
export function taskCard(task: Task, facts: CardFacts, opts: { acknowledgedBy?: string } = {}): TemplateCard {
  const escalation = facts.overdueMinutes > 0;
  const lines = [
    escalation ? `已超时 ${formatDuration(facts.overdueMinutes)}${facts.assigneeName ? `，负责人：${facts.assigneeName}` : ''}` : facts.assigneeName ? `负责人：${facts.assigneeName}` : null,
    opts.acknowledgedBy ? `${opts.acknowledgedBy} 已确认，处理中` : null,
    task.detail,
  ].filter((l): l is string => !!l);
  const actions = task.actions as unknown as TaskAction[];
  const buttons = actions.length
    ? actions.map((a) => ({ text: a.label, key: a.key, style: 1 }))
    : [{ text: '完成', key: `${TASK_CARDS.done}:${task.id}`, style: 1 }, ...(opts.acknowledgedBy ? [] : [{ text: '知道了', key: `${TASK_CARDS.ack}:${task.id}`, style: 2 }])];
  return {
    card_type: 'button_interaction',
    source: { desc: escalation ? '门店助手 · 超时提醒' : '门店助手 · 任务' },
    main_title: { title: cut(task.title, TITLE_CHARS), desc: `${facts.storeName} · 截止 ${chainTimeText(task.dueAt, facts.timezone)}` },
    ...(lines.length ? { sub_title_text: lines.join('\n') } : {}),
    button_list: buttons,
  };
}

/** 45 分钟, 2 小时, 2 小时 30 分钟, 3 天. */
export function formatDuration(minutes: number): string {
  if (minutes < 60) return `${minutes} 分钟`;
  if (minutes < 48 * 60) return minutes % 60 ? `${Math.floor(minutes / 60)} 小时 ${minutes % 60} 分钟` : `${minutes / 60} 小时`;
  return `${Math.floor(minutes / 1440)} 天`;
}

function cut(text: string, chars: number): string {
  const list = [...text];
  return list.length <= chars ? text : `${list.slice(0, chars - 1).join('')}…`;
}
