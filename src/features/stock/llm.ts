import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { Config } from '../../config';
import { templateCard } from '../../platform/outbound';
import { openTask } from '../tasks';
import { PROJECT_ROOT } from '../../paths';
import { format } from './ledger';
import { MODEL_KINDS, modelKindLines, STOCK_KINDS, type ModelKind } from './move-kinds';
import type { CatalogueSku } from './parse';
import { STOCK_CARDS, STOCK_ERRORS } from './keys';

/**
 * When a model is configured (OPENAI_*), a stock command the deterministic parser cannot read
 * (an unknown SKU, no quantity it knows, a unit it does not know) is given to the model; what it
 * reads is checked like any input and shown back on a card, and only the sender's 确认 books it.
 * The model is called outside any transaction, with a timeout: a slow or failing model ends in
 * the parser's own answer, never in a stuck chat.
 */

/** The parser's refusals worth a second reading. */
const READABLE_BY_MODEL = new Set<string>([STOCK_ERRORS.unknownSku, STOCK_ERRORS.quantityMissing, STOCK_ERRORS.unknownUnit]);
/** The prompt carries the SKUs closest to the message, not a chain's whole catalogue. */
const CATALOGUE_LINES = 40;
export const stockReadingSchema = z.object({
  action: z.enum([...MODEL_KINDS, 'unknown']),
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
    const verb = MODEL_KINDS.find((kind) => STOCK_KINDS[kind].model.startWords.some((word) => text.trim().startsWith(word)));
    if (!verb) throw err;
    const skus = await catalogue();
    const reading = await readWithModel(ctx.config, text, skus, ctx);
    const valid = reading && reading.action === verb ? validReading(reading, skus) : null;
    if (!valid) throw err;
    await ctx.transaction(async (tx) => {
      const now = ctx.clock.now();
      await tx.db.stockModelReading.upsert({
        where: { inboundId: BigInt(ctx.message.id) },
        create: {
          inboundId: BigInt(ctx.message.id),
          staffUserid: ctx.message.fromUser,
          storeCode: ctx.staff!.storeCode!,
          kind: valid.kind,
          skuCode: valid.sku.code,
          amount: valid.amount,
          unit: valid.unit,
          note: valid.note,
          createdAt: now,
        },
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
          title: `待确认：${STOCK_KINDS[valid.kind].name} ${valid.sku.name} ${format(valid.amount)}${valid.unit}`,
          detail: `「${text.slice(0, 30)}」我这样理解，确认后才记账；不对就点「不对」。`,
          dueAt: new Date(now.getTime() + ctx.config.stockChecks.confirmRemindMinutes * 60_000),
          ladder: MODEL_READING_TASK,
          actions: [
            { key: `${STOCK_CARDS.modelConfirm}:${ctx.message.id}`, label: '确认' },
            { key: `${STOCK_CARDS.modelReject}:${ctx.message.id}`, label: '不对' },
          ],
        },
        { by: ctx.message.fromUser, inboundId: ctx.message.id, now },
      );
      await tx.reply(
        templateCard({
          card_type: 'button_interaction',
          main_title: { title: '我这样理解，对吗？', desc: `「${text.slice(0, 30)}」` },
          horizontal_content_list: [
            { keyname: '动作', value: STOCK_KINDS[valid.kind].name },
            { keyname: '商品', value: valid.sku.name },
            { keyname: '数量', value: `${format(valid.amount)}${valid.unit}${base}` },
            ...(valid.note ? [{ keyname: '备注', value: valid.note.slice(0, 20) }] : []),
          ],
          sub_title_text: '确认后才记账；不对就点「不对」，再写清楚发一次。',
          button_list: [
            { text: '确认', style: 1, key: `${STOCK_CARDS.modelConfirm}:${ctx.message.id}` },
            { text: '不对', style: 2, key: `${STOCK_CARDS.modelReject}:${ctx.message.id}` },
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
export function canonicalText(reading: { kind: ModelKind; amount: { toString(): string }; unit: string; note: string | null }): string {
  return `${STOCK_KINDS[reading.kind].name} ${reading.amount.toString()}${reading.unit}${reading.note ? ` ${reading.note}` : ''}`;
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
  return fs.readFileSync(PROMPT_FILE, 'utf8').replace('{{kinds}}', modelKindLines()).replace('{{catalogue}}', lines.join('\n'));
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
export const readingTask = (inboundId: string | bigint) => ({ kind: MODEL_READING_TASK, sourceRef: `model-reading:${inboundId}` });
