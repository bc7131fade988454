import type { BotContext, Messaging } from '../../bot/context';
import type { Clock } from '../../clock';
import type { DbTx } from '../../db';
import type { StockLossHold } from '../../generated/prisma/client';
import { cancelUnsent, relabelSentCards } from '../../platform/outbox';
import { format } from './ledger';
import type { Tx } from './loss-holds';
import { nearestManagerIds } from '../../people';
import { STOCK_CARDS } from './keys';

/** The review cards of a held waste: the sender's (reason and 确认报损) and the managers' (批准 / 驳回), and rewriting them once decided. */

/** The reasons offered on the review card; the one typed with the message is offered first. */
export const LOSS_REASONS = ['过期', '破损', '变质', '制作损耗', '试吃试饮', '其他'];

function figures(hold: StockLossHold, unit: string) {
  return [
    { keyname: '今日报损（含这笔）', value: `${format(hold.dayTotal)}${unit}` },
    { keyname: '今日上限', value: `${format(hold.dayLimit)}${unit}` },
    { keyname: '店长批准', value: hold.needsManager ? '需要' : '不需要' },
  ];
}

export function reasonOptions(hold: StockLossHold): { id: string; text: string }[] {
  const given = hold.reason && !LOSS_REASONS.includes(hold.reason) ? [{ id: 'given', text: hold.reason.slice(0, 16) }] : [];
  return [...given, ...LOSS_REASONS.map((text, i) => ({ id: `r${i}`, text }))];
}

export function staffReviewCard(hold: StockLossHold, names: { sku: string; unit: string }) {
  const options = reasonOptions(hold);
  const selected = options.find((o) => o.text === hold.reason?.slice(0, 16));
  return {
    card_type: 'button_interaction',
    main_title: { title: `报损待确认：${names.sku} ${format(hold.quantity)}${names.unit}`, desc: '超出今日报损上限，还没有记账' },
    horizontal_content_list: figures(hold, names.unit),
    sub_title_text: `选好原因并确认（或直接回复原因，如「过期」）${hold.needsManager ? '；店长批准后才记账' : '后才记账'}。记错了就取消。`,
    button_selection: { question_key: 'reason', title: '原因', option_list: options, ...(selected ? { selected_id: selected.id } : {}) },
    button_list: [
      { text: '确认报损', style: 1, key: `${STOCK_CARDS.lossConfirm}:${hold.id}` },
      { text: '取消', style: 2, key: `${STOCK_CARDS.lossCancel}:${hold.id}` },
    ],
  };
}

export function managerReviewCard(hold: StockLossHold, names: { sku: string; unit: string; store: string }, staffName: string) {
  return {
    card_type: 'button_interaction',
    main_title: { title: `报损需批准：${names.sku} ${format(hold.quantity)}${names.unit}`, desc: `${names.store} · ${staffName}` },
    horizontal_content_list: [...figures(hold, names.unit).slice(0, 2), { keyname: '原因', value: hold.reason ?? '待店员选择' }],
    sub_title_text: '远超今日上限：你批准、店员确认原因后才记账。',
    button_list: [
      { text: '批准', style: 1, key: `${STOCK_CARDS.lossApprove}:${hold.id}` },
      { text: '驳回', style: 2, key: `${STOCK_CARDS.lossReject}:${hold.id}` },
    ],
  };
}

/**
 * The cards of a hold sent to `recipients` that carry `buttonKey` (the sender's 确认报损, the
 * managers' 批准): those WeCom has accepted are rewritten with the label (with the response_code it
 * gave, while valid), one not yet sent is withdrawn; the tapped card (`tappedTaskId`) is the tap's own.
 */
async function relabelHoldCards(db: DbTx, clock: Clock, hold: StockLossHold, recipients: string[], buttonKey: string, label: string, tappedTaskId?: string): Promise<void> {
  const cards = await db.$queryRaw<{ key: string; recipient: string; status: string; responseCode: string | null; sentAt: Date | null; taskId: string | null }[]>`
    SELECT idempotency_key AS key, recipient, status, response_code AS "responseCode", sent_at AS "sentAt", body->>'task_id' AS "taskId"
    FROM outbox_message
    WHERE recipient = ANY(${recipients}) AND kind = 'template_card' AND idempotency_key IS NOT NULL
      AND body->'button_list' @> ${JSON.stringify([{ key: `${buttonKey}:${hold.id}` }])}::jsonb`;
  const others = cards.filter((c) => !tappedTaskId || c.taskId !== tappedTaskId);
  await cancelUnsent(
    db,
    others.filter((c) => c.status === 'pending').map((c) => c.key),
    `loss hold ${hold.id} settled before the card went out`,
  );
  await relabelSentCards(db, others, label, `settled:${buttonKey}`, clock.now());
}

/**
 * After a manager's decision: the tapped card (if it was a tap) is rewritten with the label, and so
 * is every manager review card of the hold (relabelHoldCards). The hold's task cards are the task
 * engine's (closeTask rewrites them).
 */
export async function markReviewCards(
  env: { db: DbTx; clock: Clock; messaging: Pick<Messaging, 'updateCard'> },
  hold: StockLossHold,
  label: string,
  tapped: { taskId?: string } | undefined,
): Promise<void> {
  if (tapped) await env.messaging.updateCard({ replaceName: label });
  await relabelHoldCards(env.db, env.clock, hold, await nearestManagerIds(env.db, hold.storeCode), STOCK_CARDS.lossApprove, label, tapped?.taskId);
}

/**
 * The sender's own review card after their answer: a tap rewrites it; an answer typed in chat
 * (`过期`, `撤销`) rewrites the card they were sent, so its buttons do not stay live.
 */
export async function markCard(tx: Tx, ctx: BotContext, hold: StockLossHold, label: string): Promise<void> {
  if (ctx.message.card?.responseCode) await tx.updateCard({ replaceName: label });
  else await relabelHoldCards(tx.db, ctx.clock, hold, [hold.staffUserid], STOCK_CARDS.lossConfirm, label);
}
