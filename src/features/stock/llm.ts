import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { Config } from '../../config';
import type { Db, DbTx } from '../../db';
import type { StockModelReading } from '../../generated/prisma/client';
import type { Logger } from '../../log';
import { enqueue } from '../../platform/outbox';
import { templateCard, text as outboundText } from '../../platform/outbound';
import { closeTask, openTask } from '../tasks';
import { PROJECT_ROOT } from '../../paths';
import { bookFromText } from './commands';
import { format } from './ledger';
import type { CatalogueSku } from './parse';

/**
 * When a model is configured (OPENAI_*), a stock command the deterministic parser cannot read
 * (an unknown SKU, no quantity it knows, a unit it does not know) is given to the model; what it
 * reads is checked like any input and shown back on a card, and only the sender's 确认 books it.
 * The model is called outside any transaction, with a timeout: a slow or failing model ends in
 * the parser's own answer, never in a stuck chat.
 */

/** The parser's refusals worth a second reading. */
const READABLE_BY_MODEL = new Set(['stock.unknownSku', 'stock.quantityMissing', 'stock.unknownUnit']);
/** The prompt carries the SKUs closest to the message, not a chain's whole catalogue. */
const CATALOGUE_LINES = 40;
const VERB_WORDS = { receipt: '入库', waste: '报损', return: '退货' } as const;
/** The command words whose messages the model may read, and the move each asks for. */
const MODEL_VERBS: [string, keyof typeof VERB_WORDS][] = [
  ['入库', 'receipt'],
  ['收到', 'receipt'],
  ['到货', 'receipt'],
  ['进货', 'receipt'],
  ['报损', 'waste'],
  ['损耗', 'waste'],
  ['退货', 'return'],
];

export const stockReadingSchema = z.object({
  action: z.enum(['receipt', 'waste', 'return', 'unknown']),
  sku: z.string(),
  quantity: z.number(),
  unit: z.string(),
  note: z.string().nullable(),
});
export type StockReading = z.infer<typeof stockReadingSchema>;

const PROMPT_FILE = path.join(PROJECT_ROOT, 'prompts', 'stock', 'parse.md');

/**
 * Runs `book` (the deterministic path); if the parser gives up and a model is configured, asks
 * the model and offers its reading on a confirmation card. Otherwise the parser's answer stands.
 */
export async function withModelFallback(ctx: BotContext, catalogue: () => Promise<CatalogueSku[]>, book: () => Promise<unknown>): Promise<void> {
  try {
    await book();
  } catch (err) {
    if (!(err instanceof UserFacingError) || !READABLE_BY_MODEL.has(err.code) || !ctx.config.openai || !ctx.staff?.storeCode) throw err;
    const text = ctx.message.content ?? '';
    // Only receipts, waste and returns: a count or a transfer the model misread must never become a move.
    const verb = MODEL_VERBS.find(([word]) => text.trim().startsWith(word));
    if (!verb) throw err;
    const skus = await catalogue();
    const reading = await readWithModel(ctx.config, text, skus, ctx);
    const valid = reading && reading.action === verb[1] ? validReading(reading, skus) : null;
    if (!valid) throw err;
    await ctx.transaction(async (tx) => {
      const now = ctx.clock.now();
      await tx.db.stockModelReading.upsert({
        where: { inboundId: BigInt(ctx.message.id) },
        create: { inboundId: BigInt(ctx.message.id), staffUserid: ctx.message.fromUser, storeCode: ctx.staff!.storeCode!, kind: valid.kind, skuCode: valid.sku.code, amount: valid.amount, unit: valid.unit, note: valid.note, createdAt: now },
        update: {},
      });
      const base = valid.unit === valid.sku.baseUnit ? '' : `（${format(valid.baseQuantity)}${valid.sku.baseUnit}）`;
      // A reading nobody answers is reminded once, then void (the ladder's expiry): see expireAbandonedReadings.
      await openTask(
        tx.db,
        {
          ...readingTask(ctx.message.id),
          storeCode: ctx.staff!.storeCode!,
          assignee: ctx.message.fromUser,
          title: `待确认：${VERB_WORDS[valid.kind]} ${valid.sku.name} ${format(valid.amount)}${valid.unit}`,
          detail: `「${text.slice(0, 30)}」我这样理解，确认后才记账；不对就点「不对」。`,
          dueAt: new Date(now.getTime() + ctx.config.stockChecks.confirmRemindMinutes * 60_000),
          ladder: MODEL_READING_TASK,
          actions: [
            { key: `stock.modelConfirm:${ctx.message.id}`, label: '确认' },
            { key: `stock.modelReject:${ctx.message.id}`, label: '不对' },
          ],
        },
        { by: ctx.message.fromUser, inboundId: ctx.message.id, now },
      );
      await tx.reply(
        templateCard({
          card_type: 'button_interaction',
          main_title: { title: '我这样理解，对吗？', desc: `「${text.slice(0, 30)}」` },
          horizontal_content_list: [
            { keyname: '动作', value: VERB_WORDS[valid.kind] },
            { keyname: '商品', value: valid.sku.name },
            { keyname: '数量', value: `${format(valid.amount)}${valid.unit}${base}` },
            ...(valid.note ? [{ keyname: '备注', value: valid.note.slice(0, 20) }] : []),
          ],
          sub_title_text: '确认后才记账；不对就点「不对」，再写清楚发一次。',
          button_list: [
            { text: '确认', style: 1, key: `stock.modelConfirm:${ctx.message.id}` },
            { text: '不对', style: 2, key: `stock.modelReject:${ctx.message.id}` },
          ],
        }),
      );
    });
  }
}

/** The model's reading when it names a SKU of the catalogue, a unit of that SKU and a quantity > 0. */
export function validReading(reading: StockReading, catalogue: CatalogueSku[]) {
  if (reading.action === 'unknown' || !(reading.quantity > 0) || !Number.isFinite(reading.quantity)) return null;
  const sku = catalogue.find((s) => s.code === reading.sku);
  if (!sku) return null;
  const factor = reading.unit === sku.baseUnit ? 1 : sku.packUnits.find((p) => p.unit === reading.unit)?.factor;
  if (factor === undefined) return null;
  return { kind: reading.action, sku, amount: reading.quantity, unit: reading.unit, baseQuantity: reading.quantity * factor, note: reading.note?.trim() || null };
}

/** The text the deterministic parser reads for a confirmed reading: the quantity first, so digits in a SKU's name cannot be mistaken for it. */
export function canonicalText(reading: { kind: keyof typeof VERB_WORDS; amount: { toString(): string }; unit: string; note: string | null }): string {
  return `${VERB_WORDS[reading.kind]} ${reading.amount.toString()}${reading.unit}${reading.note ? ` ${reading.note}` : ''}`;
}

/** One call, bounded by STOCK_LLM_TIMEOUT_MS; null on any failure (logged), never thrown. */
export async function readWithModel(config: Config, text: string, catalogue: CatalogueSku[], ctx: Pick<BotContext, 'log'>): Promise<StockReading | null> {
  if (!config.openai) return null;
  const timeout = config.stockChecks.llmTimeoutMs;
  const client = new OpenAI({ apiKey: config.openai.apiKey, baseURL: config.openai.baseUrl, timeout, maxRetries: 0 });
  const started = Date.now();
  try {
    const completion = await client.chat.completions.parse(
      {
        model: config.openai.model,
        temperature: 0,
        messages: [
          { role: 'system', content: prompt(closestSkus(text, catalogue)) },
          { role: 'user', content: text },
        ],
        response_format: zodResponseFormat(stockReadingSchema, 'stock_entry'),
      },
      { signal: AbortSignal.timeout(timeout) },
    );
    const parsed = completion.choices[0]?.message.parsed ?? null;
    ctx.log.info({ ms: Date.now() - started, action: parsed?.action }, 'model read a stock message');
    return parsed;
  } catch (err) {
    ctx.log.warn({ err, ms: Date.now() - started }, 'model could not read a stock message; answering without it');
    return null;
  }
}

function prompt(skus: CatalogueSku[]): string {
  const lines = skus.map((s) => [s.code, s.name, s.aliases.join('、') || '-', [s.baseUnit, ...s.packUnits.map((p) => `${p.unit}=${p.factor}${s.baseUnit}`)].join('、')].join(' | '));
  return fs.readFileSync(PROMPT_FILE, 'utf8').replace('{{catalogue}}', lines.join('\n'));
}

/** The SKUs sharing the most characters with the message (names and aliases). */
export function closestSkus(text: string, catalogue: CatalogueSku[]): CatalogueSku[] {
  const chars = new Set([...text]);
  const score = (s: CatalogueSku) => Math.max(...[s.name, ...s.aliases].map((n) => [...n].filter((c) => chars.has(c)).length / Math.max(1, [...n].length)));
  return catalogue
    .map((s) => ({ s, score: score(s) }))
    .sort((a, b) => b.score - a.score || a.s.code.localeCompare(b.s.code))
    .slice(0, CATALOGUE_LINES)
    .map((x) => x.s);
}

/** The task that reminds the sender of a reading nobody confirmed; it expires on its ladder. */
export const MODEL_READING_TASK = 'stock.modelReading';
const readingTask = (inboundId: string | bigint) => ({ kind: MODEL_READING_TASK, sourceRef: `model-reading:${inboundId}` });

/** 确认 on the reading card (or its task card): books the message as the model read it — once, keyed by the message. */
export async function confirmModelReading(ctx: BotContext): Promise<void> {
  const { reading, original } = await mine(ctx);
  if (await answered(ctx, reading)) return;
  const booked = await bookFromText(ctx, { text: canonicalText({ kind: reading.kind as keyof typeof VERB_WORDS, amount: reading.amount, unit: reading.unit, note: reading.note }), inboundId: String(reading.inboundId), createTime: original.createTime, chosenSku: reading.skuCode });
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
  if (!reading || reading.staffUserid !== ctx.message.fromUser) throw new UserFacingError('stock.notYourMove', '只能确认你自己发的消息。');
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
        await enqueue(tx, [{ to: reading.staff_userid, content: outboundText(`你发的「${said}」我的理解一直没有确认，已作废，没有记账。请写清楚再发一次，例如：入库 奶油 20箱`), idempotencyKey: `stock.modelReadingExpired:${reading.inbound_id}` }], now);
        count++;
      });
    } catch (err) {
      log.error({ err, inboundId: String(reading.inbound_id) }, 'could not expire a model reading');
    }
  }
  return count;
}
