import type { HandoverItem } from '../../generated/prisma/client';
import { markdown, templateCard, type OutboundContent } from '../../platform/outbound';
import { itemFor, type ChecklistItem, type ChecklistTemplate } from './checklist';
import { HANDOVER_CARDS } from './keys';

/** Yes/no items asked together on one card; WeCom allows three questions per card. */
export const BATCH_SIZE = 3;
const SOURCE = { desc: '门店助手 · 交班' };

/** The hint lines a new colleague sees for an item. */
function hintLines(item: ChecklistItem): { keyname: string; value: string; type?: number; url?: string }[] {
  const lines: { keyname: string; value: string; type?: number; url?: string }[] = [];
  if (item.hint?.where) lines.push({ keyname: '在哪里', value: item.hint.where });
  if (item.hint?.good) lines.push({ keyname: '标准', value: item.hint.good });
  if (item.hint?.photoUrl) lines.push({ keyname: '参考照片', value: '点开查看', type: 1, url: item.hint.photoUrl });
  return lines;
}

function unitOf(item: ChecklistItem): string {
  return item.kind === 'number' ? item.unit : '';
}

/** What to do for one item: type a number, send a photo, tap 正常/异常, or write text. */
function instruction(item: ChecklistItem, question: HandoverItem, skuUnit?: string): string {
  switch (item.kind) {
    case 'number':
      return `请直接回复数字${unitOf(item) ? `（${unitOf(item)}）` : ''}`;
    case 'sku_count':
      return `数一下现有数量，直接回复数字${skuUnit ? `（${skuUnit}）` : ''}`;
    case 'photo':
      return `请拍照发给我${item.minPhotos > 1 ? `（至少 ${item.minPhotos} 张）` : ''}`;
    case 'text':
      return '有的话回复「填 内容」，没有就点「无」';
    case 'yes_no':
      return item.question ?? `${question.label}是否正常？`;
  }
}

/** One item on its own card (numbers, photos, text; yes/no in step-by-step mode). */
export function itemCard(template: ChecklistTemplate, question: HandoverItem, total: number, guided: boolean, skuUnit?: string): OutboundContent {
  const item = itemFor(template, question.itemKey);
  const buttons =
    item.kind === 'yes_no'
      ? [
          { text: '正常', style: 1, key: `${HANDOVER_CARDS.item}:${question.id}:ok` },
          { text: '异常', style: 3, key: `${HANDOVER_CARDS.item}:${question.id}:fault` },
        ]
      : item.kind === 'text'
        ? [{ text: '无', style: 1, key: `${HANDOVER_CARDS.item}:${question.id}:none` }]
        : [];
  buttons.push({ text: '跳过', style: 2, key: `${HANDOVER_CARDS.item}:${question.id}:skip` });
  return templateCard({
    card_type: 'button_interaction',
    source: SOURCE,
    main_title: { title: `${question.position}/${total} ${question.label}`, desc: instruction(item, question, skuUnit) },
    ...(guided && hintLines(item).length ? { horizontal_content_list: hintLines(item) } : {}),
    button_list: buttons,
  });
}

/** A few yes/no items on one card, each 正常/异常, with one submit button. */
export function batchCard(template: ChecklistTemplate, questions: HandoverItem[], total: number, guided: boolean): OutboundContent {
  const hints = guided
    ? questions.flatMap((q) =>
        hintLines(itemFor(template, q.itemKey))
          .filter((l) => l.keyname === '标准')
          .map((l) => ({ keyname: q.label, value: l.value })),
      )
    : [];
  return itemsCard(
    `${questions[0].position}–${questions.at(-1)!.position}/${total} 设备检查`,
    questions,
    [
      { id: 'ok', text: '正常' },
      { id: 'fault', text: '异常' },
    ],
    `${HANDOVER_CARDS.batch}:${questions[0].handoverId}`,
    hints.length ? { horizontal_content_list: hints.slice(0, 6) } : {},
  );
}

/** One card over a few items, each answered by one of two options (the first preselected), with one submit button. */
function itemsCard(
  title: string,
  questions: HandoverItem[],
  options: [{ id: string; text: string }, { id: string; text: string }],
  submitKey: string,
  extra: Record<string, unknown> = {},
): OutboundContent {
  return templateCard({
    card_type: 'multiple_interaction',
    source: SOURCE,
    main_title: { title, desc: '逐项选择后点「提交」' },
    ...extra,
    select_list: questions.map((q) => ({ question_key: String(q.id), title: q.label, selected_id: options[0].id, option_list: options })),
    submit_button: { text: '提交', key: submitKey },
  });
}

/** For new staff: hints on every card either way; one item at a time if they want. */
export function guidanceOffer(handoverId: bigint, total: number): OutboundContent {
  return templateCard({
    card_type: 'button_interaction',
    source: SOURCE,
    main_title: { title: '交班开始', desc: `共 ${total} 项。每张卡片都附了「在哪里、什么标准」的提示。` },
    sub_title_text: '第一次交班？可以选「逐项引导」，一次只看一项。',
    button_list: [
      { text: '逐项引导', style: 1, key: `${HANDOVER_CARDS.mode}:${handoverId}:step` },
      { text: '正常模式', style: 2, key: `${HANDOVER_CARDS.mode}:${handoverId}:batch` },
    ],
  });
}

export function describeAnswer(q: HandoverItem, unit = ''): string {
  const answer = (q.answer ?? {}) as { yes?: boolean; number?: number; text?: string; photos?: number };
  if (q.status === 'skipped') return '未填（跳过）';
  if (q.status === 'pending') return '未填';
  if (answer.number !== undefined) return `${answer.number}${unit}`;
  if (answer.yes !== undefined) return answer.yes ? '正常' : '异常';
  if (answer.photos !== undefined) return `照片 ${answer.photos} 张`;
  return answer.text ?? '';
}

/** The summary the incoming colleague reads: every item, its answer, what was flagged. */
export function summaryText(opts: { storeName: string; outgoingName: string; at: string; items: HandoverItem[]; template: ChecklistTemplate; units: Map<string, string> }): OutboundContent {
  const lines = opts.items.map((q) => {
    const item = itemFor(opts.template, q.itemKey);
    const unit = item.kind === 'sku_count' ? (opts.units.get(q.itemKey.split('/')[1]) ?? '') : unitOf(item);
    const mark = q.status === 'flagged' ? '⚠️' : q.status === 'skipped' ? '❔' : '✅';
    return `${mark} ${q.position}. ${q.label}：${describeAnswer(q, unit)}${q.finding ? `（${q.finding}）` : ''}`;
  });
  return markdown(`**交班确认：${opts.storeName}**\n${opts.outgoingName} 于 ${opts.at} 交班给你，请核对：\n${lines.join('\n')}`);
}

export function confirmCard(handoverId: bigint, outgoingName: string, flagged: number, deadline: string): OutboundContent {
  return templateCard({
    card_type: 'button_interaction',
    source: SOURCE,
    main_title: { title: `${outgoingName} 交班给你`, desc: flagged ? `有 ${flagged} 项异常，请重点核对` : '各项正常' },
    sub_title_text: `请在 ${deadline} 前确认。有不同意见：点「逐项确认」选「有异议」，或回复「异议 项号 说明」。`,
    button_list: [
      { text: '全部确认', style: 1, key: `${HANDOVER_CARDS.confirmAll}:${handoverId}` },
      { text: '逐项确认', style: 2, key: `${HANDOVER_CARDS.review}:${handoverId}` },
    ],
  });
}

/** The incoming colleague's item-by-item card: 确认 or 有异议 for a few items. */
export function reviewCard(questions: HandoverItem[], total: number): OutboundContent {
  return itemsCard(
    `核对 ${questions[0].position}–${questions.at(-1)!.position}/${total}`,
    questions,
    [
      { id: 'confirm', text: '确认' },
      { id: 'dispute', text: '有异议' },
    ],
    `${HANDOVER_CARDS.reviewPage}:${questions[0].handoverId}`,
  );
}

/** Who takes over: the outgoing colleague picks from the store's staff (no schedule known). */
export function pickIncomingCard(handoverId: bigint, candidates: { userid: string; name: string }[]): OutboundContent {
  return templateCard({
    card_type: 'button_interaction',
    source: SOURCE,
    main_title: { title: '交给谁？', desc: '没有排班信息，请选择接班的同事' },
    // WeCom allows six buttons on a card.
    button_list: candidates.slice(0, 6).map((c, i) => ({ text: c.name, style: i === 0 ? 1 : 2, key: `${HANDOVER_CARDS.pickIncoming}:${handoverId}:${c.userid}` })),
  });
}
