import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { WorkOrder } from '../../generated/prisma/client';
import { keepPhoto, type MediaStore } from '../../platform/media';
import { managesStore, requireOwnStore } from '../../people';
import { workOrderAcknowledged, workOrderClosed } from './followups';
import { openWorkOrder, PRIORITY_TEXT, STATE_TEXT, workOrderCard } from './orders';
import { WORKORDER_ERRORS } from './keys';
import { equipmentIn, priorityIn, type RepairSetupLookup } from './setup';

/** Where a 报修's photos are kept, and how close to its text they must come. */
export interface RepairPhotos {
  media: MediaStore;
  /** A photo and a 报修 text this close together (either order) make one work order. */
  photoWindowMs: number;
}

export interface WorkOrderDeps extends RepairPhotos {
  /** The store's equipment, repairers and deadlines for a 报修 (see RepairSetup). */
  repairSetupOf: RepairSetupLookup;
}

/**
 * `报修 制冰机不出冰` / `有异常 冷柜门关不严`: opens a work order, with the sender's photos of the
 * last few minutes attached (image first, then text). A photo sent shortly after joins it too.
 */
export async function reportFault(deps: WorkOrderDeps, ctx: BotContext): Promise<void> {
  const store = await requireOwnStore(ctx, WORKORDER_ERRORS.noStore);
  const description = ctx.args.trim();
  if (!description) throw new UserFacingError(WORKORDER_ERRORS.descriptionMissing, '请说明哪里坏了，例如：报修 制冰机不出冰（可以先发照片再发这句）');
  const now = ctx.clock.now();
  const repairSetup = await deps.repairSetupOf(ctx.db, store.code, now);
  const equipment = equipmentIn(description, repairSetup);
  const photos = await ctx.db.mediaFile.findMany({
    where: { uploadedBy: ctx.message.fromUser, createdAt: { gte: new Date(now.getTime() - deps.photoWindowMs) }, handoverItemId: null, disputeItemId: null, workOrderId: null },
    select: { id: true },
  });
  await ctx.transaction(async (tx) => {
    const priority = priorityIn(description);
    const order = await openWorkOrder(tx, {
      sourceRef: `inbound:${ctx.message.id}`,
      storeCode: store.code,
      equipment: equipment.key,
      equipmentName: equipment.name,
      description,
      priority,
      openedBy: ctx.message.fromUser,
      at: now,
      repairSetup,
      inboundId: ctx.message.id,
      photoIds: photos.map((p) => p.id),
    });
    await tx.reply(
      `已开维修工单 #${order.id}（${equipment.name}，${PRIORITY_TEXT[priority]}${photos.length ? `，附照片 ${photos.length} 张` : ''}），已通知店长和维修负责人。` +
        (photos.length ? '' : `\n有照片的话，${Math.round(deps.photoWindowMs / 60_000)} 分钟内发过来会附在工单上。`),
    );
  });
}

/**
 * An image nobody else wanted: joins the sender's work order opened in the last few minutes, or
 * waits (stored) for a 报修 text that follows.
 */
export async function photoForWorkOrder(deps: RepairPhotos, ctx: BotContext): Promise<void> {
  const now = ctx.clock.now();
  const file = await keepPhoto(ctx, deps.media, ctx.staff?.storeCode ?? null);
  const recent = await ctx.db.workOrder.findFirst({
    where: { openedBy: ctx.message.fromUser, openedAt: { gte: new Date(now.getTime() - deps.photoWindowMs) }, state: { not: 'closed' } },
    orderBy: { id: 'desc' },
  });
  if (recent) {
    const { count } = await ctx.db.mediaFile.updateMany({ where: { id: file.id, workOrderId: null }, data: { workOrderId: recent.id } });
    if (count) await ctx.reply(`照片已附在维修工单 #${recent.id} 上。`);
    return;
  }
  await ctx.reply(`收到照片。要报修的话，${Math.round(deps.photoWindowMs / 60_000)} 分钟内发「报修 + 问题」，照片会附在工单上。`);
}

/**
 * The work order `id` names, for someone who may act on it: the repairer it was sent to, or the
 * store's management (the rule its tasks are assigned by, see managesStore).
 */
async function orderFor(ctx: BotContext, id: string): Promise<WorkOrder> {
  const order = /^\d+$/.test(id) ? await ctx.db.workOrder.findUnique({ where: { id: BigInt(id) } }) : null;
  if (!order) throw new UserFacingError(WORKORDER_ERRORS.unknown, '找不到这个工单。');
  const allowed = order.recipients.includes(ctx.message.fromUser) || (await managesStore(ctx.db, ctx.staff, order.storeCode));
  if (!allowed) throw new UserFacingError(WORKORDER_ERRORS.notYours, '只有店长、维修负责人或区域经理能处理这个工单。');
  return order;
}

/** A work-order button's key argument: the order's id. */
const tappedId = (ctx: BotContext) => ctx.keyArg.split(':')[0];
const tapped = (ctx: BotContext) => ctx.message.event === 'template_card_event';

/** The words after `工单 12` that do what a card button does; anything else is a progress note. */
const TEXT_ACTIONS: { pattern: RegExp; act: (ctx: BotContext, id: string, note: string) => Promise<void> }[] = [
  { pattern: /^(受理|接单|已受理)[，,。\s]*/, act: (ctx, id) => acknowledge(ctx, id) },
  { pattern: /^(已修好|修好了|已修复|已完成)[，,。\s]*/, act: (ctx, id, note) => close(ctx, id, note) },
];

/**
 * `工单 12 …` in chat, as the card's buttons: `受理`, `已修好（换了压缩机）`, a progress note
 * (`工单 12 已联系厂家，明天上门`), or nothing after the number for where it stands.
 */
export async function workOrderByText(ctx: BotContext): Promise<void> {
  const m = /^#?(\d+)\s*(.*)$/s.exec(ctx.args);
  if (!m) throw new UserFacingError(WORKORDER_ERRORS.noteFormat, '格式：工单 12 受理 / 工单 12 已修好 / 工单 12 进度说明');
  const [, id, rest] = m;
  if (!rest.trim()) return show(ctx, id);
  for (const { pattern, act } of TEXT_ACTIONS) {
    const word = pattern.exec(rest);
    if (word) return act(ctx, id, rest.slice(word[0].length).trim());
  }
  return noteProgress(ctx, id, rest.trim());
}

/** 受理 (the card, or `工单 12 受理`): the repairer or manager takes it on. */
export async function acknowledge(ctx: BotContext, id = tappedId(ctx)): Promise<void> {
  const order = await orderFor(ctx, id);
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    const { count } = await tx.db.workOrder.updateMany({ where: { id: order.id, state: 'open' }, data: { state: 'acknowledged', ackBy: ctx.message.fromUser, ackAt: now } });
    if (count === 0) {
      const state = order.state === 'closed' ? '已完成' : '已受理';
      if (tapped(ctx)) await tx.updateCard({ replaceName: state });
      else await tx.reply(`工单 #${order.id} ${state}。`);
      return;
    }
    await tx.db.workOrderUpdate.create({ data: { workOrderId: order.id, causeKey: `in:${ctx.message.id}`, kind: 'acknowledged', by: ctx.message.fromUser, at: now } });
    const updated = await tx.db.workOrder.findUniqueOrThrow({ where: { id: order.id } });
    const card = await workOrderCard(tx.db, updated);
    if (!tapped(ctx)) await tx.reply(`已受理维修工单 #${order.id}。修好后回复「工单 ${order.id} 已修好」或在卡片上点「已修好」。`);
    else if (card.kind === 'template_card') await tx.updateCard({ card: card.card });
    await tx.send(order.openedBy, `维修工单 #${order.id} 已由 ${ctx.staff?.name ?? ctx.message.fromUser} 受理。`);
    await workOrderAcknowledged(tx, updated, ctx.message.fromUser, ctx.message.id, now);
  });
}

/** 更新进度: asks for the progress note as text. */
export async function askProgress(ctx: BotContext): Promise<void> {
  const order = await orderFor(ctx, tappedId(ctx));
  await ctx.reply(`请回复「工单 ${order.id} 进度说明」，例如：工单 ${order.id} 已联系厂家，明天上午上门`);
}

/** `工单 12 已联系厂家，明天上门`: a progress note, sent to the reporter and the others it went to. */
async function noteProgress(ctx: BotContext, id: string, note: string): Promise<void> {
  const order = await orderFor(ctx, id);
  if (order.state === 'closed') throw new UserFacingError(WORKORDER_ERRORS.closed, `工单 #${order.id} 已完成。`);
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    await tx.db.workOrderUpdate.createMany({
      data: [{ workOrderId: order.id, causeKey: `in:${ctx.message.id}`, kind: 'note', by: ctx.message.fromUser, note: note.slice(0, 500), at: now }],
      skipDuplicates: true,
    });
    await tx.reply(`已记录工单 #${order.id} 的进度。`);
    for (const to of new Set([order.openedBy, ...order.recipients].filter((u) => u !== ctx.message.fromUser))) {
      await tx.send(to, `维修工单 #${order.id} 进度（${ctx.staff?.name ?? ctx.message.fromUser}）：${note.slice(0, 200)}`);
    }
  });
}

/** 已修好 (the card, or `工单 12 已修好，换了压缩机`): closes it; the reporter hears so. */
export async function close(ctx: BotContext, id = tappedId(ctx), note = ''): Promise<void> {
  const order = await orderFor(ctx, id);
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    const { count } = await tx.db.workOrder.updateMany({
      where: { id: order.id, state: { not: 'closed' } },
      data: { state: 'closed', closedBy: ctx.message.fromUser, closedAt: now, ...(order.ackAt ? {} : { ackBy: ctx.message.fromUser, ackAt: now }) },
    });
    if (tapped(ctx)) await tx.updateCard({ replaceName: '已完成' });
    else await tx.reply(count === 0 ? `工单 #${order.id} 已完成。` : `已关闭维修工单 #${order.id}（已修好），已通知报修人。`);
    if (count === 0) return;
    await tx.db.workOrderUpdate.create({ data: { workOrderId: order.id, causeKey: `in:${ctx.message.id}`, kind: 'closed', by: ctx.message.fromUser, note: note.slice(0, 500) || null, at: now } });
    await tx.send(order.openedBy, `维修工单 #${order.id} 已修好（${ctx.staff?.name ?? ctx.message.fromUser}）${note ? `：${note.slice(0, 200)}` : '。'}`);
    await workOrderClosed(tx, order, ctx.message.fromUser, ctx.message.id, now);
  });
}

/** The button on a finished work order's card, and `工单 12` alone: where it stands. */
export async function show(ctx: BotContext, id = tappedId(ctx)): Promise<void> {
  const order = await orderFor(ctx, id);
  await ctx.reply(`工单 #${order.id}：${order.description}，${STATE_TEXT[order.state] ?? order.state}。`);
}
