import type { BotContext, Messaging } from '../../bot/context';
import type { Clock } from '../../clock';
import type { DbTx } from '../../db';
import type { StockLossHold } from '../../generated/prisma/client';
import { cancelUnsent, relabelSentCards } from '../../platform/outbox';
import { format } from './ledger';
import type { Tx } from './loss-holds';
import { nearestManagerIds } from '../../people';

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
      { text: '确认报损', style: 1, key: `stock.lossConfirm:${hold.id}` },
      { text: '取消', style: 2, key: `stock.lossCancel:${hold.id}` },
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
      { text: '批准', style: 1, key: `stock.lossApprove:${hold.id}` },
      { text: '驳回', style: 2, key: `stock.lossReject:${hold.id}` },
    ],
  };
}

/**
 * After a manager's decision: the tapped card (if it was a tap) is rewritten with the label, and so
 * is every manager review card of the hold WeCom has accepted (with the response_code it gave, still
 * valid), the tapped one apart; one not yet sent is withdrawn. The hold's task cards are the task
 * engine's (closeTask rewrites them).
 */
export async function markReviewCards(
  env: { db: DbTx; clock: Clock; messaging: Pick<Messaging, 'updateCard'> },
  hold: StockLossHold,
  label: string,
  tapped: { taskId?: string } | undefined,
): Promise<void> {
  const { db, clock, messaging } = env;
  if (tapped) await messaging.updateCard({ replaceName: label });
  const recipients = await nearestManagerIds(db, hold.storeCode);
  const cards = await db.$queryRaw<{ key: string; recipient: string; status: string; responseCode: string | null; sentAt: Date | null; taskId: string | null }[]>`
    SELECT idempotency_key AS key, recipient, status, response_code AS "responseCode", sent_at AS "sentAt", body->>'task_id' AS "taskId"
    FROM outbox_message
    WHERE recipient = ANY(${recipients}) AND kind = 'template_card' AND idempotency_key IS NOT NULL
      AND body->'button_list' @> ${JSON.stringify([{ key: `stock.lossApprove:${hold.id}` }])}::jsonb`;
  const others = cards.filter((c) => !tapped?.taskId || c.taskId !== tapped.taskId);
  await cancelUnsent(
    db,
    others.filter((c) => c.status === 'pending').map((c) => c.key),
    `loss hold ${hold.id} decided before the card went out`,
  );
  await relabelSentCards(db, others, label, 'decided', clock.now());
}

/** Rewrites the tapped card; an answer typed in chat has no card to rewrite (its task's cards are closed with the task). */
export async function markCard(tx: Tx, ctx: BotContext, label: string): Promise<void> {
  if (ctx.message.card?.responseCode) await tx.updateCard({ replaceName: label });
}
