import type { BotContext, Messaging } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { DbTx } from '../../db';
import type { Handover, HandoverItem, Prisma } from '../../generated/prisma/client';
import { openWorkOrder } from '../workorders';
import { batchCard, guidanceOffer, itemCard, pickIncomingCard, BATCH_SIZE } from './cards';
import { exampleAnswer, implausibleAnswer, itemFor, judgeNumber, judgeYesNo, questionsOf, readNumber, type ChecklistTemplate, type Judgement } from './checklist';
import { logSendersStep } from './log';
import { keepPhoto } from '../../platform/media';
import { requireOwnStore } from '../../people';
import { needsGuidance } from './guidance';
import { currentTemplate, templateVersion } from './templates';
import { nameIncoming, type HandoverDeps } from './incoming';
import { findIncomingFromSchedule, overdueStockEntries } from './schedule';
import { HANDOVER_ERRORS } from './keys';

type Tx = Messaging & { db: DbTx };

/** Handovers the outgoing colleague is still working on. */
const OPEN_OUTGOING = ['filling', 'choosing_incoming'];

/**
 * `交班` (or the menu button): refuses while the store has overdue stock entries, else starts a
 * handover on the store's current checklist version and asks the first items. A second 交班
 * while one is open picks it up again where it stands.
 */
export async function startHandover(deps: HandoverDeps, ctx: BotContext): Promise<void> {
  const store = await requireOwnStore(ctx, HANDOVER_ERRORS.noStore);
  const now = ctx.clock.now();
  const open = await ctx.db.handover.findFirst({ where: { outgoingUserid: ctx.message.fromUser, state: { in: OPEN_OUTGOING } }, orderBy: { id: 'desc' } });
  if (open && open.startInboundId !== ctx.message.id) {
    await ctx.transaction(async (tx) => {
      await tx.reply('你有一个还没完成的交班，接着来：');
      if (open.state === 'choosing_incoming') await tx.reply(pickIncomingCard(open.id, await colleagues(tx.db, open)));
      else await askNext(tx, open);
    });
    return;
  }
  const overdue = await overdueStockEntries(ctx.db, store.code, now);
  if (overdue.length) {
    throw new UserFacingError(HANDOVER_ERRORS.overdueStock, `${store.name} 还有 ${overdue.length} 笔库存记录逾期未处理，处理完才能交班：\n${overdue.map((t) => `· ${t}`).join('\n')}`);
  }
  const { scope, version, template } = await currentTemplate(ctx.db, store.code, now);
  const skus = await ctx.db.sku.findMany({ select: { code: true, name: true } });
  const questions = questionsOf(template, new Map(skus.map((s) => [s.code, s.name])));
  const guided = await needsGuidance(ctx.db, ctx.staff!, now, deps.newStaffDays);
  const stepByStep = /逐项/.test(ctx.args);

  await ctx.transaction(async (tx) => {
    // Keyed by the message: a WeCom retry of 交班 finds the handover its first run created.
    const existing = await tx.db.handover.findUnique({ where: { startInboundId: ctx.message.id } });
    if (existing) return;
    const handover = await tx.db.handover.create({
      data: {
        storeCode: store.code,
        outgoingUserid: ctx.message.fromUser,
        templateScope: scope,
        templateVersion: version,
        state: 'filling',
        guided,
        stepByStep,
        startInboundId: ctx.message.id,
        startedAt: now,
        items: { create: questions.map((q, i) => ({ position: i + 1, itemKey: q.itemKey, kind: q.kind, label: q.label })) },
      },
    });
    await logSendersStep(tx.db, ctx, handover, 'started', now, { template: `${scope}@${version}`, items: questions.length, guided });
    if (guided && !stepByStep) await tx.reply(guidanceOffer(handover.id, questions.length));
    else await askNext(tx, handover);
  });
}

/** The new colleague's choice: one item per card, or a few at a time. */
export async function chooseMode(ctx: BotContext): Promise<void> {
  const [id, mode] = ctx.keyArg.split(':');
  const handover = await ownOpenHandover(ctx, id);
  await ctx.transaction(async (tx) => {
    const updated = await tx.db.handover.update({ where: { id: handover.id }, data: { stepByStep: mode === 'step' } });
    await tx.updateCard({ replaceName: mode === 'step' ? '已选：逐项引导' : '已选：正常模式' });
    await askNext(tx, updated);
  });
}

/** Sends the next card: a few yes/no items together, or the next single item. */
async function askNext(tx: Tx, handover: Handover): Promise<void> {
  const pending = await tx.db.handoverItem.findMany({ where: { handoverId: handover.id, status: 'pending' }, orderBy: { position: 'asc' } });
  if (pending.length === 0) return;
  const template = await templateVersion(tx.db, handover.templateScope, handover.templateVersion);
  const total = await tx.db.handoverItem.count({ where: { handoverId: handover.id } });
  const first = pending[0];
  const shown = shownTogether(handover, pending);
  if (shown.length > 1) return tx.reply(batchCard(template, shown, total, handover.guided));
  const skuUnit = first.kind === 'sku_count' ? (await tx.db.sku.findUnique({ where: { code: first.itemKey.split('/')[1] } }))?.baseUnit : undefined;
  await tx.reply(itemCard(template, first, total, handover.guided, skuUnit));
}

/** The items the next card asks: a few consecutive yes/no items together (unless step by step), else the first pending one. */
function shownTogether(handover: Handover, pending: HandoverItem[]): HandoverItem[] {
  const batch: HandoverItem[] = [];
  for (const q of pending) {
    if (q.kind !== 'yes_no' || handover.stepByStep || batch.length === BATCH_SIZE || (batch.length && q.position !== batch.at(-1)!.position + 1)) break;
    batch.push(q);
  }
  return batch.length ? batch : pending.slice(0, 1);
}

/** `正常` / `都正常` typed for yes/no items; a fault (`异常`, `烤箱坏了`) names its item, so it is told apart. */
const ALL_OK = /^(?:都|全部|全都|一切)?(?:正常|好|好的|没问题|没事|ok)[。!！]?$/iu;
const FAULT = /异常|不正常|有问题|坏了|故障|不工作|不制冷|不出冰/u;

async function ownOpenHandover(ctx: BotContext, id: string): Promise<Handover> {
  const handover = /^\d+$/.test(id) ? await ctx.db.handover.findUnique({ where: { id: BigInt(id) } }) : null;
  if (!handover || handover.outgoingUserid !== ctx.message.fromUser) throw new UserFacingError(HANDOVER_ERRORS.notYours, '这是别人的交班，只有交班的同事能填写。');
  if (handover.state === 'cancelled') throw new UserFacingError(HANDOVER_ERRORS.cancelled, '这个交班已经取消了；要交班请重新发「交班」。');
  if (!OPEN_OUTGOING.includes(handover.state)) throw new UserFacingError(HANDOVER_ERRORS.alreadySubmitted, '这个交班已经提交了。');
  return handover;
}

/** The sender's handover in progress and the item it waits for; null when none is being filled. */
async function currentQuestion(ctx: BotContext): Promise<{ handover: Handover; question: HandoverItem } | null> {
  const handover = await ctx.db.handover.findFirst({ where: { outgoingUserid: ctx.message.fromUser, state: 'filling' }, orderBy: { id: 'desc' } });
  if (!handover) return null;
  const question = await ctx.db.handoverItem.findFirst({ where: { handoverId: handover.id, status: 'pending' }, orderBy: { position: 'asc' } });
  return question ? { handover, question } : null;
}

/** Whether this person's handover is waiting for an item's answer (the guard of the awaited-text route). */
export async function isAwaitingAnswer(ctx: BotContext): Promise<boolean> {
  return (await currentQuestion(ctx)) !== null;
}

/** What leaves a handover half-filled; these words are never read as an item's answer. */
export const EXIT_WORDS = ['取消交班', '退出交班'];
const EXIT_HINT = '不交班了请发「取消交班」。';

/**
 * Any text while an item waits for this person's answer: the answer to that item, with `填` or
 * without — a number in digits or Chinese (`五百`, `一千二`, `三百五十块`), or a note. Stock
 * commands and the rest wait until the handover is done or cancelled.
 */
export async function answerInChat(deps: HandoverDeps, ctx: BotContext): Promise<void> {
  const text = (ctx.message.content ?? '').replace(/\u3000/g, ' ').trim();
  const written = /^填\s*/.exec(text);
  await answerTyped(deps, ctx, written ? text.slice(written[0].length) : text, written !== null);
}

/** `填 3号桌蛋糕 17:00 取` when no item is waiting (while one is, answerInChat has it). */
export async function answerText(deps: HandoverDeps, ctx: BotContext): Promise<void> {
  await answerTyped(deps, ctx, ctx.args, true);
}

/** `written`: the text came after `填`, so even a lone digit is meant as the note. */
async function answerTyped(deps: HandoverDeps, ctx: BotContext, text: string, written: boolean): Promise<void> {
  const current = await currentQuestion(ctx);
  if (!current) throw new UserFacingError(HANDOVER_ERRORS.nothingToFill, '现在没有要填的交班项。要交班请发「交班」。');
  const { handover, question } = current;
  const template = await templateVersion(ctx.db, handover.templateScope, handover.templateVersion);
  const item = itemFor(template, question.itemKey);
  if (!text.trim()) throw new UserFacingError(HANDOVER_ERRORS.textMissing, `现在要填的是「${question.label}」，请直接回复，例如：${item.kind === 'text' ? '3号桌蛋糕下午5点取' : exampleAnswer(item)}`);
  if (item.kind === 'number' || item.kind === 'sku_count') {
    const skuCode = question.itemKey.split('/')[1];
    const book = item.kind === 'sku_count' ? await bookQuantity(ctx.db, handover.storeCode, skuCode) : undefined;
    const sku = item.kind === 'sku_count' ? await ctx.db.sku.findUnique({ where: { code: skuCode } }) : null;
    const unit = item.kind === 'number' ? item.unit : (sku?.baseUnit ?? '');
    const number = readNumber(text, { unit, label: question.label, packs: (sku?.packUnits ?? []) as { unit: string; factor: number }[] });
    if (number === null) throw new UserFacingError(HANDOVER_ERRORS.numberExpected, `「${question.label}」要回复数字${unit ? `（${unit}）` : ''}，例如：${exampleAnswer(item)}。${EXIT_HINT}`);
    const implausible = implausibleAnswer(item, number, question.label, unit, book);
    if (implausible) throw new UserFacingError(HANDOVER_ERRORS.implausibleNumber, implausible);
    const judgement = judgeNumber(item, number, book);
    const answer = { number, ...(book !== undefined ? { book } : {}), ...(item.kind === 'number' && item.expected !== undefined ? { expected: item.expected } : {}) };
    await record(deps, ctx, handover, question, template, answer, judgement);
  } else if (item.kind === 'text') {
    const number = readNumber(text);
    // A lone digit is more likely meant for the item before (sent twice) than a note.
    if (number !== null && text.trim().length < 2 && !written) throw new UserFacingError(HANDOVER_ERRORS.textExpected, `「${question.label}」要写文字，例如：3号桌蛋糕下午5点取；没有就回「无」。`);
    await record(deps, ctx, handover, question, template, { text: text.trim().slice(0, 500) }, { status: 'ok' });
  } else if (item.kind === 'yes_no') {
    const pending = await ctx.db.handoverItem.findMany({ where: { handoverId: handover.id, status: 'pending' }, orderBy: { position: 'asc' } });
    const shown = shownTogether(handover, pending);
    const labels = shown.map((q) => `「${q.label}」`).join('');
    const named = shown.filter((q) => text.includes(q.label));
    let answers: Answered[];
    if (ALL_OK.test(text.trim())) answers = shown.map((q) => yesNoAnswer(template, q, true));
    else if (FAULT.test(text) && (shown.length === 1 || named.length === 1)) answers = [yesNoAnswer(template, shown.length === 1 ? shown[0] : named[0], false)];
    else {
      const how = shown.length === 1 ? '回复「正常」或「异常」' : `都正常就回复「正常」；有异常请写是哪一项，例如：${shown[0].label}异常`;
      throw new UserFacingError(HANDOVER_ERRORS.wrongAnswer, `现在要填的是${labels}：在卡片上选，或${how}。${EXIT_HINT}`);
    }
    await recordMany(deps, ctx, handover, template, answers);
  } else {
    throw new UserFacingError(HANDOVER_ERRORS.wrongAnswer, `现在要填的是「${question.label}」：请拍照发给我。${EXIT_HINT}`);
  }
}

/**
 * `取消交班` / `退出交班`: the handover being filled (or waiting for its incoming colleague to be
 * picked) is cancelled. What was filled stays in the log and 交班记录 (as 已取消) but goes to
 * nobody; work orders it opened go on; the next `交班` starts again from the first item.
 */
export async function cancelHandover(ctx: BotContext): Promise<void> {
  const open = await ctx.db.handover.findFirst({ where: { outgoingUserid: ctx.message.fromUser, state: { in: OPEN_OUTGOING } }, orderBy: { id: 'desc' } });
  if (!open) throw new UserFacingError(HANDOVER_ERRORS.nothingToCancel, '你现在没有在填的交班。');
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    const { count } = await tx.db.handover.updateMany({ where: { id: open.id, state: { in: OPEN_OUTGOING } }, data: { state: 'cancelled' } });
    if (count === 0) return;
    const answered = await tx.db.handoverItem.findMany({ where: { handoverId: open.id, status: { not: 'pending' } }, orderBy: { position: 'asc' } });
    const orders = await tx.db.workOrder.count({ where: { sourceRef: { in: answered.map((i) => `handover-item:${i.id}`) } } });
    await logSendersStep(tx.db, ctx, open, 'cancelled', now, { answered: answered.map((i) => i.itemKey) });
    const filled = answered.length
      ? `已填的 ${answered.length} 项（${answered
          .slice(0, 3)
          .map((i) => i.label)
          .join('、')}${answered.length > 3 ? ' 等' : ''}）留在交班记录里，不会交给接班同事${orders ? `；已开的 ${orders} 张维修工单照常处理` : ''}。`
      : '还没有填任何一项。';
    await tx.reply(`已取消交班 #${open.id}。${filled}要交班请重新发「交班」，从第 1 项开始。`);
  });
}

/** The book quantity of a SKU in the store, in base units. */
async function bookQuantity(db: DbTx, storeCode: string, skuCode: string): Promise<number> {
  const balance = await db.stockBalance.findUnique({ where: { storeCode_skuCode: { storeCode, skuCode } } });
  return balance ? balance.onHand.toNumber() : 0;
}

/** A tap on 正常 / 异常 / 无 / 跳过 on a single-item card. */
export async function answerFromCard(deps: HandoverDeps, ctx: BotContext): Promise<void> {
  const [id, choice] = ctx.keyArg.split(':');
  const question = /^\d+$/.test(id) ? await ctx.db.handoverItem.findUnique({ where: { id: BigInt(id) } }) : null;
  if (!question) throw new UserFacingError(HANDOVER_ERRORS.unknownItem, '找不到这个交班项。');
  const handover = await ownOpenHandover(ctx, String(question.handoverId));
  if (question.status !== 'pending') {
    await ctx.updateCard({ replaceName: '已填过' });
    return;
  }
  const template = await templateVersion(ctx.db, handover.templateScope, handover.templateVersion);
  const item = itemFor(template, question.itemKey);
  const labels: Record<string, string> = { ok: '正常', fault: '异常', none: '无', skip: '已跳过' };
  await ctx.updateCard({ replaceName: labels[choice] ?? choice });
  if (choice === 'skip') return record(deps, ctx, handover, question, template, null, { status: 'ok' }, 'skipped');
  if (choice === 'none' && item.kind === 'text') return record(deps, ctx, handover, question, template, { text: '无' }, { status: 'ok' });
  if ((choice === 'ok' || choice === 'fault') && item.kind === 'yes_no') return record(deps, ctx, handover, question, template, { yes: choice === 'ok' }, judgeYesNo(item, choice === 'ok'));
  throw new UserFacingError(HANDOVER_ERRORS.wrongAnswer, `「${question.label}」不能这样填。`);
}

/** The submit button of a card with a few yes/no items. */
export async function answerBatch(deps: HandoverDeps, ctx: BotContext): Promise<void> {
  const handover = await ownOpenHandover(ctx, ctx.keyArg);
  const template = await templateVersion(ctx.db, handover.templateScope, handover.templateVersion);
  const selections = ctx.message.card?.selections ?? [];
  const ids = selections.filter((s) => /^\d+$/.test(s.questionKey)).map((s) => BigInt(s.questionKey));
  const questions = await ctx.db.handoverItem.findMany({ where: { id: { in: ids }, handoverId: handover.id }, orderBy: { position: 'asc' } });
  if (questions.length === 0) throw new UserFacingError(HANDOVER_ERRORS.nothingSelected, '请为每一项选择「正常」或「异常」再提交。');
  await ctx.updateCard({ replaceName: '已提交' });
  const answers = questions.map((q) => yesNoAnswer(template, q, selections.find((s) => s.questionKey === String(q.id))!.optionIds[0] !== 'fault'));
  await recordMany(deps, ctx, handover, template, answers);
}

/** A yes/no item answered, from the card or typed in chat. */
function yesNoAnswer(template: ChecklistTemplate, question: HandoverItem, yes: boolean): Answered {
  return { question, answer: { yes }, judgement: judgeYesNo(itemFor(template, question.itemKey), yes) };
}

/** An image while the handover waits for a photo item. Returns false when no photo is wanted now. */
export async function photoForHandover(deps: HandoverDeps, ctx: BotContext): Promise<boolean> {
  const current = await currentQuestion(ctx);
  if (!current || current.question.kind !== 'photo') return false;
  const { handover, question } = current;
  const file = await keepPhoto(ctx, deps.media, handover.storeCode);
  await ctx.db.mediaFile.updateMany({ where: { id: file.id, handoverItemId: null }, data: { handoverItemId: question.id } });
  const template = await templateVersion(ctx.db, handover.templateScope, handover.templateVersion);
  const item = itemFor(template, question.itemKey);
  const photos = await ctx.db.mediaFile.count({ where: { handoverItemId: question.id } });
  const needed = item.kind === 'photo' ? item.minPhotos : 1;
  if (photos < needed) {
    await ctx.reply(`「${question.label}」已收到 ${photos} 张照片，还需要 ${needed - photos} 张。`);
    return true;
  }
  await record(deps, ctx, handover, question, template, { photos }, { status: 'ok' });
  return true;
}

interface Answered {
  question: HandoverItem;
  answer: Prisma.InputJsonObject | null;
  judgement: Judgement;
  status?: 'skipped';
}

function record(
  deps: HandoverDeps,
  ctx: BotContext,
  handover: Handover,
  question: HandoverItem,
  template: ChecklistTemplate,
  answer: Prisma.InputJsonObject | null,
  judgement: Judgement,
  status?: 'skipped',
) {
  return recordMany(deps, ctx, handover, template, [{ question, answer, judgement, status }]);
}

/**
 * Records answers, each only while still pending (a retry or a second tap records nothing), logs
 * them, opens a work order for each fault, and asks what comes next — all in one transaction.
 * When nothing is left, the handover goes to the incoming colleague.
 */
async function recordMany(deps: HandoverDeps, ctx: BotContext, handover: Handover, template: ChecklistTemplate, answers: Answered[]): Promise<void> {
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    let recorded = 0;
    for (const a of answers) {
      const { count } = await tx.db.handoverItem.updateMany({
        where: { id: a.question.id, status: 'pending' },
        data: {
          status: a.status ?? a.judgement.status,
          answer: a.answer ?? undefined,
          finding: a.judgement.finding ?? null,
          answeredAt: now,
          answerInboundId: ctx.message.id,
        },
      });
      if (count === 0) continue;
      recorded++;
      await logSendersStep(tx.db, ctx, handover, a.status ?? 'answered', now, {
        item: a.question.itemKey,
        answer: a.answer,
        status: a.status ?? a.judgement.status,
        finding: a.judgement.finding ?? null,
      });
      if (a.judgement.status === 'flagged') await tx.reply(`⚠️ ${a.question.label}：${a.judgement.finding}`);
      if (a.judgement.fault) {
        const item = itemFor(template, a.question.itemKey);
        const equipment = item.equipment ?? item.key;
        const order = await openWorkOrder(tx, {
          sourceRef: `handover-item:${a.question.id}`,
          storeCode: handover.storeCode,
          equipment,
          equipmentName: template.equipment[equipment] ?? a.question.label,
          description: `交班检查：${a.question.label}${a.judgement.finding ? ` ${a.judgement.finding}` : ''}`,
          priority: 'normal',
          openedBy: ctx.message.fromUser,
          at: now,
          repairSetup: template,
          inboundId: ctx.message.id,
        });
        await tx.reply(`已为「${a.question.label}」开维修工单 #${order.id}，已通知店长和维修负责人。`);
      }
    }
    if (recorded > 0) await askNext(tx, handover);
  });
  await submitIfDone(deps, ctx, handover.id);
}

/**
 * All items answered: the incoming colleague is named from the shift schedule when it knows
 * them; otherwise the outgoing one picks from the store's staff on a card.
 */
async function submitIfDone(deps: HandoverDeps, ctx: BotContext, handoverId: bigint): Promise<void> {
  const handover = await ctx.db.handover.findUniqueOrThrow({ where: { id: handoverId } });
  if (handover.state !== 'filling') return;
  if ((await ctx.db.handoverItem.count({ where: { handoverId, status: 'pending' } })) > 0) return;
  const scheduled = await findIncomingFromSchedule(ctx.db, handover.storeCode, handover.outgoingUserid, ctx.clock.now());
  if (scheduled) return nameIncoming(deps, ctx, handover, scheduled.userid);
  const candidates = await colleagues(ctx.db, handover);
  if (candidates.length === 0) throw new UserFacingError(HANDOVER_ERRORS.noColleague, '店里没有其他在职同事可以接班，请联系店长。');
  await ctx.transaction(async (tx) => {
    const { count } = await tx.db.handover.updateMany({ where: { id: handoverId, state: 'filling' }, data: { state: 'choosing_incoming' } });
    if (count === 0) return;
    await tx.reply(pickIncomingCard(handoverId, candidates));
  });
}

/** Who may take over: the store's other active staff and managers. */
function colleagues(db: DbTx, handover: Handover) {
  return db.staff.findMany({
    where: { storeCode: handover.storeCode, active: true, userid: { not: handover.outgoingUserid }, role: { in: ['staff', 'store_manager'] } },
    orderBy: [{ role: 'asc' }, { userid: 'asc' }],
  });
}

/** The outgoing colleague's pick of who takes over. */
export async function pickIncoming(deps: HandoverDeps, ctx: BotContext): Promise<void> {
  const [id, userid] = ctx.keyArg.split(':');
  const handover = await ownOpenHandover(ctx, id);
  if (handover.state !== 'choosing_incoming') throw new UserFacingError(HANDOVER_ERRORS.notReady, '交班项还没填完，填完再选接班的同事。');
  const colleague = await ctx.db.staff.findUnique({ where: { userid: userid ?? '' } });
  if (!colleague || colleague.storeCode !== handover.storeCode || !colleague.active) throw new UserFacingError(HANDOVER_ERRORS.notColleague, '这位同事不在本店，请重新选择。');
  await ctx.updateCard({ replaceName: `交给：${colleague.name}` });
  await nameIncoming(deps, ctx, handover, colleague.userid);
}
