import type { BotContext, Messaging } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { DbTx } from '../../db';
import type { Handover, HandoverItem } from '../../generated/prisma/client';
import { image, text } from '../../platform/outbound';
import { confirmCard, reviewCard, summaryText, BATCH_SIZE } from './cards';
import { itemFor, judgeNumber, type ChecklistTemplate } from './checklist';
import { askManager, confirmationDone, expectConfirmation, managerResolved, maySettle, SETTLED_LABELS, type Settled } from './followups';
import { appendLog, logSendersStep } from './log';
import { keepPhoto, reuploadPhoto, type MediaStore } from '../../platform/media';
import { namesOf } from '../../people';
import { templateVersion } from './templates';
import { chainTimeText } from '../../timezone';
import { HANDOVER_ERRORS } from './keys';

export interface HandoverDeps {
  media: MediaStore;
  newStaffDays: number;
  timezone: string;
}

type Tx = Messaging & { db: DbTx };

/**
 * Hands the filled handover to the incoming colleague: the summary with every item, the photos
 * (stored copies uploaded again, so their media ids are fresh), and a card to confirm. The
 * state change is conditional, so a retry or a second pick sends nothing twice.
 */
export async function nameIncoming(deps: HandoverDeps, ctx: BotContext, handover: Handover, incomingUserid: string): Promise<void> {
  if (incomingUserid === handover.outgoingUserid) throw new UserFacingError(HANDOVER_ERRORS.selfIncoming, '不能交给自己，请选择接班的同事。');
  const now = ctx.clock.now();
  const items = await ctx.db.handoverItem.findMany({ where: { handoverId: handover.id }, orderBy: { position: 'asc' } });
  const photos = await ctx.db.mediaFile.findMany({ where: { handoverItemId: { in: items.map((i) => i.id) } }, orderBy: { id: 'asc' } });
  // Uploads are WeCom calls, not messages: done before the transaction that enqueues the messages.
  const uploaded: { itemId: bigint; mediaId: string }[] = [];
  for (const p of photos) uploaded.push({ itemId: p.handoverItemId!, mediaId: await reuploadPhoto(ctx, deps.media, p) });
  const template = await templateVersion(ctx.db, handover.templateScope, handover.templateVersion);
  const store = await ctx.db.store.findUniqueOrThrow({ where: { code: handover.storeCode } });
  const names = await namesOf(ctx.db, [handover.outgoingUserid, incomingUserid]);
  const outgoingName = names.get(handover.outgoingUserid) ?? handover.outgoingUserid;
  const units = new Map((await ctx.db.sku.findMany({ select: { code: true, baseUnit: true } })).map((s) => [s.code, s.baseUnit]));
  const deadline = new Date(now.getTime() + template.confirmWithinMinutes * 60_000);

  await ctx.transaction(async (tx) => {
    const { count } = await tx.db.handover.updateMany({
      where: { id: handover.id, state: { in: ['filling', 'choosing_incoming'] } },
      data: { state: 'awaiting_incoming', incomingUserid, submittedAt: now },
    });
    if (count === 0) return;
    await appendLog(tx.db, {
      storeCode: handover.storeCode,
      handoverId: handover.id,
      step: 'submitted',
      actor: handover.outgoingUserid,
      inboundId: ctx.message.id,
      at: now,
      data: { incoming: incomingUserid, flagged: items.filter((i) => i.status === 'flagged').map((i) => i.itemKey), skipped: items.filter((i) => i.status === 'skipped').map((i) => i.itemKey) },
    });
    await tx.send(incomingUserid, summaryText({ storeName: store.name, outgoingName, at: chainTimeText(now, deps.timezone), items, template, units }));
    for (const item of items) {
      const own = uploaded.filter((u) => u.itemId === item.id);
      if (own.length === 0) continue;
      await tx.send(incomingUserid, text(`第 ${item.position} 项「${item.label}」的照片：`));
      for (const u of own) await tx.send(incomingUserid, image(u.mediaId));
    }
    await tx.send(incomingUserid, confirmCard(handover.id, outgoingName, items.filter((i) => i.status === 'flagged').length, chainTimeText(deadline, deps.timezone)));
    await tx.reply(`交班已提交，已请 ${names.get(incomingUserid) ?? incomingUserid} 在 ${chainTimeText(deadline, deps.timezone, { timeOnly: true })} 前确认。`);
    await expectConfirmation(tx, { ...handover, incomingUserid }, deadline, `确认交班：${outgoingName}→${names.get(incomingUserid) ?? incomingUserid}`, now);
    const cash = items.filter((i) => i.status === 'flagged' && isCash(template, i));
    if (cash.length) {
      await askManager(tx, handover, 'cashDifference', `${store.name} 交班现金差异`, cash.map((i) => `${i.label}：${i.finding}`).join('\n'), now);
    }
  });
}

function isCash(template: ChecklistTemplate, item: HandoverItem): boolean {
  const def = itemFor(template, item.itemKey);
  if (def.kind !== 'number' || !def.cash) return false;
  const answer = item.answer as { number?: number } | null;
  return answer?.number !== undefined && judgeNumber(def, answer.number).cashDifference !== undefined;
}

/** The handover the sender is to confirm, by id from a card; only the named colleague may. */
async function incomingHandover(ctx: BotContext, id: string): Promise<Handover> {
  const handover = /^\d+$/.test(id) ? await ctx.db.handover.findUnique({ where: { id: BigInt(id) } }) : null;
  if (!handover || handover.incomingUserid !== ctx.message.fromUser) throw new UserFacingError(HANDOVER_ERRORS.notIncoming, '这个交班不是交给你的，只有接班的同事能确认。');
  if (handover.state !== 'awaiting_incoming') throw new UserFacingError(HANDOVER_ERRORS.alreadyConfirmed, '这个交班已经确认过了。');
  return handover;
}

/** 全部确认: every item not yet acted on is confirmed, and the handover is complete. */
export async function confirmAll(ctx: BotContext): Promise<void> {
  const handover = await incomingHandover(ctx, ctx.keyArg);
  await ctx.updateCard({ replaceName: '已全部确认' });
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    const items = await tx.db.handoverItem.findMany({ where: { handoverId: handover.id, confirmation: null } });
    await tx.db.handoverItem.updateMany({ where: { handoverId: handover.id, confirmation: null }, data: { confirmation: 'confirmed', confirmedAt: now, confirmInboundId: ctx.message.id } });
    if (items.length) await logConfirmations(tx, handover, ctx, items, 'confirmed');
    await completeIfDone(tx, ctx, handover);
  });
}

/** 逐项确认: the items as cards of a few, each 确认 / 有异议. */
export async function review(ctx: BotContext): Promise<void> {
  const handover = await incomingHandover(ctx, ctx.keyArg);
  const items = await ctx.db.handoverItem.findMany({ where: { handoverId: handover.id, confirmation: null }, orderBy: { position: 'asc' } });
  const total = await ctx.db.handoverItem.count({ where: { handoverId: handover.id } });
  await ctx.updateCard({ replaceName: '逐项确认中' });
  await ctx.transaction(async (tx) => {
    for (let i = 0; i < items.length; i += BATCH_SIZE) await tx.reply(reviewCard(items.slice(i, i + BATCH_SIZE), total));
  });
}

/** The submit of a review card: confirmations and disputes for its items. */
export async function reviewPage(ctx: BotContext): Promise<void> {
  const handover = await incomingHandover(ctx, ctx.keyArg);
  const selections = (ctx.message.card?.selections ?? []).filter((s) => /^\d+$/.test(s.questionKey));
  const now = ctx.clock.now();
  await ctx.updateCard({ replaceName: '已提交' });
  await ctx.transaction(async (tx) => {
    const confirmed: HandoverItem[] = [];
    const disputed: HandoverItem[] = [];
    for (const s of selections) {
      const choice = s.optionIds[0] === 'dispute' ? 'disputed' : 'confirmed';
      const item = await tx.db.handoverItem.findFirst({ where: { id: BigInt(s.questionKey), handoverId: handover.id, confirmation: null } });
      if (!item) continue;
      await tx.db.handoverItem.update({ where: { id: item.id }, data: { confirmation: choice, confirmedAt: now, confirmInboundId: ctx.message.id } });
      if (choice === 'disputed') disputed.push(item);
      else confirmed.push(item);
    }
    if (confirmed.length) await logConfirmations(tx, handover, ctx, confirmed, 'confirmed');
    if (disputed.length) {
      await logConfirmations(tx, handover, ctx, disputed, 'disputed');
      await tx.reply(`请说明异议：回复「异议 ${disputed[0].position} 说明」，也可以直接发照片。`);
    }
    await completeIfDone(tx, ctx, handover);
  });
}

/**
 * `异议 3 抽屉少50元`: disputes item 3 with a note (or adds the note to an item already
 * disputed); without a number, the note goes to the latest disputed item without one.
 */
export async function dispute(ctx: BotContext): Promise<void> {
  const handover = await ctx.db.handover.findFirst({ where: { incomingUserid: ctx.message.fromUser, state: 'awaiting_incoming' }, orderBy: { id: 'desc' } });
  if (!handover) throw new UserFacingError(HANDOVER_ERRORS.nothingToDispute, '没有交给你待确认的交班。');
  const m = /^(\d+)\s*(.*)$/s.exec(ctx.args);
  const note = (m ? m[2] : ctx.args).trim();
  const item = m
    ? await ctx.db.handoverItem.findUnique({ where: { handoverId_position: { handoverId: handover.id, position: Number(m[1]) } } })
    : await ctx.db.handoverItem.findFirst({ where: { handoverId: handover.id, confirmation: 'disputed', disputeNote: null }, orderBy: { position: 'asc' } });
  if (!item) throw new UserFacingError(HANDOVER_ERRORS.unknownItem, m ? `没有第 ${m[1]} 项。` : '请写明第几项，例如：异议 3 钱箱少50元');
  if (!note) throw new UserFacingError(HANDOVER_ERRORS.noteMissing, `请写明异议内容，例如：异议 ${item.position} 钱箱少50元`);
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    const { count } = await tx.db.handoverItem.updateMany({
      where: { id: item.id, OR: [{ disputeNote: null }, { disputeNote: { not: note } }] },
      data: { confirmation: 'disputed', disputeNote: note, confirmedAt: item.confirmedAt ?? now, confirmInboundId: item.confirmInboundId ?? ctx.message.id },
    });
    if (count === 0) return;
    await logSendersStep(tx.db, ctx, handover, 'disputed', now, { item: item.itemKey, note });
    await tx.reply(`已记录第 ${item.position} 项「${item.label}」的异议：${note}`);
    await completeIfDone(tx, ctx, handover);
  });
}

/** An image from the incoming colleague while a disputed item has no photo: evidence for it. */
export async function photoForDispute(deps: HandoverDeps, ctx: BotContext): Promise<boolean> {
  const handover = await ctx.db.handover.findFirst({ where: { incomingUserid: ctx.message.fromUser, state: 'awaiting_incoming' }, orderBy: { id: 'desc' } });
  if (!handover) return false;
  const disputed = await ctx.db.handoverItem.findMany({ where: { handoverId: handover.id, confirmation: 'disputed' }, orderBy: { position: 'asc' } });
  const withPhotos = new Set((await ctx.db.mediaFile.findMany({ where: { disputeItemId: { in: disputed.map((d) => d.id) } } })).map((f) => f.disputeItemId!));
  const item = disputed.find((d) => !withPhotos.has(d.id));
  if (!item) return false;
  const file = await keepPhoto(ctx, deps.media, handover.storeCode);
  await ctx.transaction(async (tx) => {
    const { count } = await tx.db.mediaFile.updateMany({ where: { id: file.id, disputeItemId: null }, data: { disputeItemId: item.id } });
    if (count === 0) return;
    await logSendersStep(tx.db, ctx, handover, 'dispute_photo', ctx.clock.now(), { item: item.itemKey, sha256: file.sha256 });
    await tx.reply(`照片已作为第 ${item.position} 项「${item.label}」的异议凭证。`);
    await completeIfDone(tx, ctx, handover);
  });
  return true;
}

async function logConfirmations(tx: Tx, handover: Handover, ctx: BotContext, items: HandoverItem[], step: 'confirmed' | 'disputed') {
  await logSendersStep(tx.db, ctx, handover, step, ctx.clock.now(), { items: items.map((i) => i.itemKey) });
}

/**
 * Complete when both sides acted: every item confirmed, or disputed with a note or a photo.
 * Disputed items then go to the store manager with a card to resolve.
 */
async function completeIfDone(tx: Tx, ctx: BotContext, handover: Handover): Promise<void> {
  const now = ctx.clock.now();
  const items = await tx.db.handoverItem.findMany({ where: { handoverId: handover.id }, orderBy: { position: 'asc' } });
  if (items.some((i) => i.confirmation === null)) return;
  const disputed = items.filter((i) => i.confirmation === 'disputed');
  const evidenced = new Set((await tx.db.mediaFile.findMany({ where: { disputeItemId: { in: disputed.map((d) => d.id) } } })).map((f) => f.disputeItemId!));
  if (disputed.some((d) => !d.disputeNote && !evidenced.has(d.id))) return;
  const { count } = await tx.db.handover.updateMany({ where: { id: handover.id, state: 'awaiting_incoming' }, data: { state: 'complete', completedAt: now } });
  if (count === 0) return;
  const names = await namesOf(tx.db, [handover.outgoingUserid, handover.incomingUserid!]);
  await logSendersStep(tx.db, ctx, handover, 'completed', now, { confirmed: items.length - disputed.length, disputed: disputed.map((i) => i.itemKey) });
  await confirmationDone(tx, handover, ctx.message.fromUser, ctx.message.id, now);
  const who = names.get(handover.incomingUserid!) ?? handover.incomingUserid!;
  await tx.send(handover.outgoingUserid, disputed.length ? `${who} 已确认交班 #${handover.id}，其中 ${disputed.length} 项有异议，已通知店长。` : `${who} 已确认交班 #${handover.id}，交接完成。`);
  await tx.reply(disputed.length ? `交班 #${handover.id} 已确认，${disputed.length} 项异议已通知店长处理。` : `交班 #${handover.id} 已确认，交接完成。`);
  if (disputed.length) {
    const store = await tx.db.store.findUniqueOrThrow({ where: { code: handover.storeCode } });
    const detail = disputed.map((i) => `${i.position}. ${i.label}：${i.disputeNote ?? '见照片'}`).join('\n');
    await askManager(tx, handover, 'dispute', `${store.name} 交班有异议（${names.get(handover.outgoingUserid) ?? ''}→${who}）`, detail, now);
  }
}

/** The store manager's 已处理 on a dispute, cash-difference or late-confirmation card. */
export async function resolve(ctx: BotContext): Promise<void> {
  const [id, what] = ctx.keyArg.split(':');
  const handover = /^\d+$/.test(id ?? '') ? await ctx.db.handover.findUnique({ where: { id: BigInt(id) } }) : null;
  if (!handover || !['dispute', 'cashDifference', 'late'].includes(what ?? '')) throw new UserFacingError(HANDOVER_ERRORS.unknown, '找不到这个交班。');
  if (!(await maySettle(ctx.db, ctx.staff, handover))) throw new UserFacingError(HANDOVER_ERRORS.managerOnly, '只有本店店长或区域经理能处理交班异常。');
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    await tx.updateCard({ replaceName: '已处理' });
    if (!(await managerResolved(tx, handover, what as Settled, ctx.message.fromUser, ctx.message.id, now))) {
      await tx.reply(`交班 #${handover.id} 的${SETTLED_LABELS[what as Settled]}已经处理过了。`);
      return;
    }
    await tx.db.handover.update({ where: { id: handover.id }, data: { resolvedBy: ctx.message.fromUser, resolvedAt: now } });
    await logSendersStep(tx.db, ctx, handover, 'resolved', now, { case: what });
    await tx.reply(`交班 #${handover.id} 的${SETTLED_LABELS[what as Settled]}已标记为处理完毕。`);
  });
}
