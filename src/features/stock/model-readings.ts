import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { Db, DbTx } from '../../db';
import type { StockModelReading } from '../../generated/prisma/client';
import type { Logger } from '../../log';
import { enqueue } from '../../platform/outbox';
import { text as outboundText } from '../../platform/outbound';
import { closeTask } from '../tasks';
import { bookFromText } from './commands';
import { canonicalText, MODEL_READING_TASK, readingTask } from './llm';
import type { ModelKind } from './move-kinds';
import { STOCK_ERRORS } from './keys';

/**
 * A model's reading after its card went out (llm.ts): the sender's 确认 books it through the same
 * path as a typed message, 不对 drops it, and one nobody answers is made void.
 */

/** 确认 on the reading card (or its task card): books the message as the model read it — once, keyed by the message. */
export async function confirmModelReading(ctx: BotContext): Promise<void> {
  const { reading, original } = await mine(ctx);
  if (await answered(ctx, reading)) return;
  const booked = await bookFromText(ctx, {
    text: canonicalText({ kind: reading.kind as ModelKind, amount: reading.amount, unit: reading.unit, note: reading.note }),
    inboundId: String(reading.inboundId),
    createTime: original.createTime,
    chosenSku: reading.skuCode,
  });
  await ctx.transaction((tx) => closeReading(tx.db, reading, 'confirmed', ctx.message.fromUser, ctx.clock.now()));
  await ctx.updateCard({ replaceName: booked ? '已确认' : '已记过' });
}

/** 不对 on the reading card (or its task card): nothing is booked. */
export async function rejectModelReading(ctx: BotContext): Promise<void> {
  const { reading } = await mine(ctx);
  if (await answered(ctx, reading)) return;
  if (reading.status === 'confirmed') {
    await ctx.updateCard({ replaceName: '已确认' });
    await ctx.reply('这一笔已经确认了；记错了请发「撤销」。');
    return;
  }
  await ctx.transaction((tx) => closeReading(tx.db, reading, 'rejected', ctx.message.fromUser, ctx.clock.now()));
  await ctx.updateCard({ replaceName: '已放弃' });
  await ctx.reply('好的，没有记账。请写清楚再发一次，例如：入库 奶油 20箱');
}

async function mine(ctx: BotContext) {
  const reading = /^\d+$/.test(ctx.keyArg) ? await ctx.db.stockModelReading.findUnique({ where: { inboundId: BigInt(ctx.keyArg) } }) : null;
  if (!reading || reading.staffUserid !== ctx.message.fromUser) throw new UserFacingError(STOCK_ERRORS.notYourMove, '只能确认你自己发的消息。');
  const original = await ctx.db.inboundMessage.findUniqueOrThrow({ where: { id: reading.inboundId } });
  return { reading, original };
}

/**
 * A reading already rejected, or void because its task expired (even before the sweep got to
 * it), takes no answer: says so and returns true. A confirmed one is left to the caller.
 */
async function answered(ctx: BotContext, reading: StockModelReading): Promise<boolean> {
  let status = reading.status;
  if (status === 'pending' && (await ctx.db.task.findUnique({ where: { kind_sourceRef: readingTask(reading.inboundId) }, select: { state: true } }))?.state === 'expired') {
    status = await ctx.transaction((tx) => expireReading(tx.db, reading.inboundId, ctx.clock.now()));
  }
  if (status === 'expired') {
    await ctx.updateCard({ replaceName: '已过期' });
    await ctx.reply('这条识别太久没有确认，已作废，没有记账。请写清楚再发一次，例如：入库 奶油 20箱');
    return true;
  }
  if (status === 'rejected') {
    await ctx.updateCard({ replaceName: '已放弃' });
    await ctx.reply('这条识别已经放弃了，没有记账。');
    return true;
  }
  return false;
}

/** `confirmed`: booked, or held for review like any waste over the day's limit. */
async function closeReading(db: DbTx, reading: StockModelReading, status: 'confirmed' | 'rejected', by: string, now: Date): Promise<void> {
  await db.stockModelReading.updateMany({ where: { inboundId: reading.inboundId, status: 'pending' }, data: { status, closedAt: now } });
  if (await db.task.findUnique({ where: { kind_sourceRef: readingTask(reading.inboundId) }, select: { id: true } })) {
    await closeTask(db, readingTask(reading.inboundId), { state: status === 'confirmed' ? 'done' : 'cancelled', by, now });
  }
}

/**
 * Makes a pending reading void under its row lock — unless its message was booked or held after
 * all (a 确认 racing the expiry): the ledger decides. Returns the reading's status after.
 */
async function expireReading(db: DbTx, inboundId: bigint, now: Date): Promise<string> {
  const [row] = await db.$queryRaw<{ status: string }[]>`SELECT status FROM stock_model_reading WHERE inbound_id = ${inboundId} FOR UPDATE`;
  if (row?.status !== 'pending') return row?.status ?? 'expired';
  const key = `chat:${inboundId}`;
  const taken = (await db.stockMove.findUnique({ where: { externalId: key }, select: { id: true } })) ?? (await db.stockLossHold.findUnique({ where: { sourceKey: key }, select: { id: true } }));
  const status = taken ? 'confirmed' : 'expired';
  await db.stockModelReading.update({ where: { inboundId }, data: { status, closedAt: now } });
  return status;
}

/**
 * `stock.expireConfirmations`, for readings: each pending reading whose task the walker expired
 * is made void and its sender told that nothing was booked.
 */
export async function expireAbandonedReadings(db: Db, now: Date, log: Logger): Promise<number> {
  const expired = await db.$queryRaw<{ inbound_id: bigint; staff_userid: string; payload: { content?: string } }[]>`
    SELECT r.inbound_id, r.staff_userid, i.payload FROM stock_model_reading r
    JOIN task t ON t.kind = ${MODEL_READING_TASK} AND t.source_ref = 'model-reading:' || r.inbound_id
    JOIN inbound_message i ON i.id = r.inbound_id
    WHERE r.status = 'pending' AND t.state = 'expired' ORDER BY r.inbound_id LIMIT 500`;
  let count = 0;
  for (const reading of expired) {
    try {
      await db.$transaction(async (tx) => {
        if ((await expireReading(tx, reading.inbound_id, now)) !== 'expired') return;
        const said = (reading.payload.content ?? '').slice(0, 30);
        await enqueue(
          tx,
          [
            {
              to: reading.staff_userid,
              content: outboundText(`你发的「${said}」我的理解一直没有确认，已作废，没有记账。请写清楚再发一次，例如：入库 奶油 20箱`),
              idempotencyKey: `stock.modelReadingExpired:${reading.inbound_id}`,
            },
          ],
          now,
        );
        count++;
      });
    } catch (err) {
      log.error({ err, inboundId: String(reading.inbound_id) }, 'could not expire a model reading');
    }
  }
  return count;
}
