import type { BotContext, Messaging } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import type { Db, DbTx } from '../../db';
import { templateCard } from '../../platform/outbound';
import { bookMove } from './booking';
import { format, onHand } from './ledger';
import { loadCatalogue, requireSku } from './catalogue';
import type { EnteredQuantity } from './entered';
import { withModelFallback } from './llm';
import { holdWasteOverLimit } from './loss-limit';
import { recordCountEntry } from './count-commands';
import { askLargeMove, largeEntries, MAX_ENTRY_BASE_UNITS } from './large-moves';
import { signOf, STOCK_KINDS, type MoveKind, type QuantityVerb } from './move-kinds';
import { allowsFractionalBase, expiryDate, parseStockCommand, type CatalogueSku, type StockLine } from './parse';
import { dayText, nearestExpiry } from './batches/batches';
import { chainDate } from '../../timezone';
import { actingStore, requireStore } from './stores';
import { sendTransfer } from './transfer-commands';
import { STOCK_CARDS, STOCK_ERRORS } from './keys';

/** `入库 奶油 20箱`, `收到牛奶两箱`, `奶油入库2箱`, `报损 牛奶 2盒 过期`, `退货 珍珠 1箱 给供应商 质量问题`, `入库 奶油2箱 牛奶3箱`. */
export async function recordStockMove(ctx: BotContext): Promise<void> {
  const book = () => bookFromText(ctx, { text: ctx.message.content ?? '', inboundId: ctx.message.id, createTime: ctx.message.createTime });
  await withModelFallback(ctx, () => loadCatalogue(ctx), book);
}

/** Whether a message no command word took reads as stock (`奶油入库2箱`, `奶油还有多少`); `收到`, `好的收到` do not. */
export async function readsAsStock(ctx: BotContext): Promise<boolean> {
  if (ctx.message.msgType !== 'text' || !ctx.staff) return false;
  return parseStockCommand(ctx.message.content ?? '', await loadCatalogue(ctx)) !== null;
}

/** A message `readsAsStock` took: a query or a move. */
export async function readStockMessage(ctx: BotContext): Promise<void> {
  const command = parseStockCommand(ctx.message.content ?? '', await loadCatalogue(ctx));
  if (command?.kind === 'query') return showStock(ctx);
  return recordStockMove(ctx);
}

/** A tap on one of the SKUs offered for an unclear message: books that message with the SKU picked. */
export async function pickSku(ctx: BotContext): Promise<void> {
  const [inboundId, skuCode] = ctx.keyArg.split(':');
  const original = /^\d+$/.test(inboundId ?? '') ? await ctx.db.inboundMessage.findUnique({ where: { id: BigInt(inboundId) } }) : null;
  if (!original || original.fromUser !== ctx.message.fromUser) throw new UserFacingError(STOCK_ERRORS.notYourMove, '只能为你自己发的消息选择商品。');
  const payload = original.payload as { content?: string };
  const booked = await bookFromText(ctx, { text: payload.content ?? '', inboundId, createTime: original.createTime, chosenSku: skuCode });
  await ctx.updateCard({ replaceName: booked ? `已选：${booked}` : '已记过' });
}

/** 确认记账: books the original message as typed, once (keyed by that message like any chat entry). */
export async function confirmLargeMove(ctx: BotContext): Promise<void> {
  const { original, chosenSku } = await originalMessage(ctx);
  const booked = await bookFromText(ctx, {
    text: (original.payload as { content?: string }).content ?? '',
    inboundId: String(original.id),
    createTime: original.createTime,
    chosenSku,
    largeConfirmed: true,
  });
  await ctx.updateCard({ replaceName: booked ? '已确认记账' : '已记过' });
}

/** 不记: nothing is booked. */
export async function dropLargeMove(ctx: BotContext): Promise<void> {
  await originalMessage(ctx);
  await ctx.updateCard({ replaceName: '没有记账' });
  await ctx.reply('好的，没有记账。请改好数量再发一次，例如：入库 奶油 20箱');
}

async function originalMessage(ctx: BotContext) {
  const [inboundId, chosenSku] = ctx.keyArg.split(':');
  const original = /^\d{1,18}$/.test(inboundId ?? '') ? await ctx.db.inboundMessage.findUnique({ where: { id: BigInt(inboundId) } }) : null;
  if (!original || original.fromUser !== ctx.message.fromUser) throw new UserFacingError(STOCK_ERRORS.notYourMove, '只能确认你自己发的消息。');
  return { original, chosenSku: chosenSku || undefined };
}

/**
 * Reads a stock message and books it, keyed by the message that asked for it — so the same
 * message (a WeCom retry, a second tap on a choice card) is never booked twice. A message of
 * several lines (`入库 奶油2箱 牛奶3箱`) is booked whole or not at all: every line is checked
 * first, and all are booked in one transaction. Returns the SKU names when it booked, null when
 * it had been booked before or asked back.
 */
export async function bookFromText(ctx: BotContext, source: { text: string; inboundId: string; createTime: number; chosenSku?: string; largeConfirmed?: boolean }): Promise<string | null> {
  const store = await requireStore(ctx);
  const catalogue = await loadCatalogue(ctx);
  const chosen = source.chosenSku ? catalogue.find((s) => s.code === source.chosenSku) : undefined;
  if (source.chosenSku && !chosen) throw new UserFacingError(STOCK_ERRORS.unknownSku, '这个商品已不在商品目录里了。');
  const command = parseStockCommand(source.text, catalogue, chosen);
  if (!command) throw new UserFacingError(STOCK_ERRORS.unreadable, `没看懂「${source.text.trim().slice(0, 30)}」，没有记账。例如：入库 奶油 2箱、报损 牛奶 2盒 过期、盘点 奶油 18盒`);
  if (command.kind === 'query' || command.kind === 'undo') return null;
  if (command.kind === 'incomplete') {
    const name = command.sku?.kind === 'found' ? command.sku.sku.name : '商品名';
    throw new UserFacingError(STOCK_ERRORS.transferStoreMissing, `调到哪个门店？例如：调拨 ${name} 5箱 到 二店`);
  }
  const { lines } = command;
  if (lines.length === 1 && lines[0].sku.kind === 'ambiguous' && !lines[0].problem) {
    await askWhichSku(ctx, source.inboundId, source.text, lines[0].sku.candidates);
    return null;
  }
  const problems = lines.map((line) => lineProblem(command.kind, line));
  if (lines.length === 1 && problems[0]) throw new UserFacingError(problems[0].code, problems[0].message);
  if (problems.some(Boolean)) {
    const which = lines.flatMap((line, i) => (problems[i] ? [`· 第 ${i + 1} 项「${lineLabel(line)}」：${problems[i]!.message}`] : []));
    throw new UserFacingError(STOCK_ERRORS.linesRefused, `这条消息有 ${lines.length} 项，一项都没有记：\n${which.join('\n')}\n请改好后整条再发一次。`);
  }
  const today = chainDate(new Date(source.createTime * 1000), ctx.config.timezone);
  const entered = lines.map((line, i) => {
    const sku = catalogue.find((c) => c.code === requireSku(line.sku).code)!;
    return {
      ...(line.expiry ? { expiresOn: expiryDate(line.expiry, today) } : {}),
      store,
      sku,
      amount: line.amount!,
      unit: line.unit,
      baseQuantity: line.baseQuantity!,
      note: line.note,
      toStoreText: command.toStoreText,
      occurredAt: new Date(source.createTime * 1000),
      source: 'chat' as const,
      // The first line keeps the key a one-line message has always had.
      externalId: i === 0 ? `chat:${source.inboundId}` : `chat:${source.inboundId}:${i + 1}`,
    };
  });
  if (!source.largeConfirmed) {
    const over = await largeEntries(ctx, command.kind, entered);
    if (over.length > 0) {
      await askLargeMove(ctx, source, command.kind, over);
      return null;
    }
  }
  if (entered.length === 1) return bookEntered(ctx, command.kind, entered[0]);
  // One transaction: a line refused while booking (stock below zero) takes the others back with it.
  return ctx.transaction(async (tx) => {
    const joined = withinTransaction(ctx, tx);
    const names: string[] = [];
    for (const entry of entered) {
      const name = await bookEntered(joined, command.kind, entry);
      if (name) names.push(name);
    }
    return names.length ? names.join('、') : null;
  });
}

function bookEntered(ctx: BotContext, kind: QuantityVerb, entered: EnteredQuantity): Promise<string | null> {
  if (kind === 'transfer') return sendTransfer(ctx, entered);
  if (kind === 'count') return recordCountEntry(ctx, entered);
  return bookStockMove(ctx, kind, entered);
}

/**
 * The handler's context inside an open transaction: what the booking functions read, write and
 * reply goes through it, and their own `transaction` joins it instead of opening another.
 */
function withinTransaction(ctx: BotContext, tx: Messaging & { db: DbTx }): BotContext {
  // DbTx is the client without $transaction, which nothing reached from here calls.
  return { ...ctx, db: tx.db as Db, reply: tx.reply, send: tx.send, updateCard: tx.updateCard, transaction: (fn) => fn(tx) };
}

const lineLabel = (line: StockLine) =>
  `${line.sku.kind === 'found' ? line.sku.sku.name : line.sku.kind === 'unknown' ? line.sku.text : line.sku.candidates.map((c) => c.name).join('/')} ${line.quantityText}`.trim();

/** Why a line cannot be booked, as the Chinese question staff get; null when it can. */
function lineProblem(kind: QuantityVerb, line: StockLine): { code: string; message: string } | null {
  const verb = STOCK_KINDS[kind].name;
  if (line.problem?.kind === 'noQuantity') return { code: STOCK_ERRORS.quantityMissing, message: `请带上数量，例如：${verb} ${line.sku.kind === 'found' ? line.sku.sku.name : '商品名'} 2箱` };
  if (line.sku.kind === 'unknown') {
    if (!line.sku.text) return { code: STOCK_ERRORS.unknownSku, message: `记哪个商品？请写上商品名，例如：${verb} 奶油 2箱` };
    return { code: STOCK_ERRORS.unknownSku, message: `没找到商品「${line.sku.text}」。请核对名称，或请管理员导入这个商品。` };
  }
  if (line.sku.kind === 'ambiguous') return { code: STOCK_ERRORS.ambiguousSku, message: `是哪一个：${line.sku.candidates.map((c) => c.name).join('、')}？请写全名称。` };
  const sku = line.sku.sku;
  const problem = line.problem;
  if (problem?.kind === 'badExpiry') return { code: STOCK_ERRORS.expiryUnreadable, message: `「${problem.text}」是哪一天？效期请写成：效期 12月20日 或 到期 2026-12-20，每项最多一个。` };
  // A move out takes the batches that expire first; only what comes in carries an expiry of its own.
  if (line.expiry && kind !== 'receipt') return { code: STOCK_ERRORS.expiryNotReceipt, message: `效期只在入库时记；${verb}会先扣最早到期的批次，不用写效期。` };
  if (problem?.kind === 'unknownUnit') return { code: STOCK_ERRORS.unknownUnit, message: `「${sku.name}」没有「${problem.unitText}」这个单位，可用：${unitsOf(sku)}。` };
  if (problem?.kind === 'unreadable') {
    if (/\d|[零〇一二两三四五六七八九十百千万几半]/u.test(problem.text))
      return { code: STOCK_ERRORS.quantityUnreadable, message: `「${problem.text}」是多少？数量请写成 2箱、2.5箱、两箱半 或 5箱3盒。` };
    return { code: STOCK_ERRORS.unclearNote, message: `「${problem.text}」是什么意思？是原因请写清楚（如：过期、压坏了），是另一个商品请带上数量。` };
  }
  const amount = line.amount!;
  const base = line.baseQuantity!;
  // Counting none of something is an answer; booking none of it is not.
  if (!(amount > 0) && !(kind === 'count' && amount === 0)) return { code: STOCK_ERRORS.quantityOutOfRange, message: `数量要大于 0，例如：${verb} ${sku.name} 2箱（要更正记错的一笔，请发「撤销」）` };
  const inBase = line.unit === sku.baseUnit ? '' : `（${format(base)}${sku.baseUnit}）`;
  if (!Number.isInteger(base) && !allowsFractionalBase(sku)) {
    return {
      code: STOCK_ERRORS.fractionalQuantity,
      message: `${sku.name}按整${sku.baseUnit}记，${format(amount)}${line.unit}${inBase}不是整数：是 ${Math.floor(base)}${sku.baseUnit} 还是 ${Math.ceil(base)}${sku.baseUnit}？`,
    };
  }
  if (base > MAX_ENTRY_BASE_UNITS) return { code: STOCK_ERRORS.quantityTooLarge, message: `${format(amount)}${line.unit}${inBase}太多了，是不是多打了几位？没有记账，请核对后再发。` };
  return null;
}

const unitsOf = (sku: CatalogueSku) => [sku.baseUnit, ...sku.packUnits.map((p) => p.unit)].join('、');

/** Books a receipt, waste or return and confirms it with the new on-hand and an undo button. */
export async function bookStockMove(ctx: BotContext, kind: MoveKind, entered: EnteredQuantity): Promise<string | null> {
  const { store, sku } = entered;
  const name = STOCK_KINDS[kind].name;
  const now = ctx.clock.now();
  return ctx.transaction(async (tx) => {
    if (kind === 'waste') {
      const request = {
        sourceKey: entered.externalId,
        storeCode: store.code,
        skuCode: sku.code,
        quantity: entered.baseQuantity,
        reason: entered.note || undefined,
        staffUserid: ctx.message.fromUser,
        occurredAt: entered.occurredAt,
      };
      if (await holdWasteOverLimit(tx, ctx, request, { sku: sku.name, unit: sku.baseUnit, store: store.name })) return sku.name;
    }
    const booked = await bookMove(
      tx.db,
      ctx.config,
      {
        storeCode: store.code,
        skuCode: sku.code,
        kind,
        quantity: signOf(kind) * entered.baseQuantity,
        reason: entered.note || undefined,
        staffUserid: ctx.message.fromUser,
        occurredAt: entered.occurredAt,
        recordedAt: now,
        source: entered.source,
        externalId: entered.externalId,
        enteredQuantity: entered.amount,
        enteredUnit: entered.unit,
        expiresOn: entered.expiresOn,
      },
      sku,
    );
    if (!booked.created) {
      await tx.reply('这一笔已经记过了。');
      return null;
    }
    const packed = entered.unit === sku.baseUnit ? '' : `（${format(entered.baseQuantity)}${sku.baseUnit}）`;
    await tx.reply(
      templateCard({
        card_type: 'button_interaction',
        main_title: {
          title: `已${name} ${sku.name} ${format(entered.amount)}${entered.unit}${packed}`,
          desc: [entered.expiresOn ? `效期至 ${dayText(entered.expiresOn)}` : '', entered.note].filter(Boolean).join('，') || undefined,
        },
        sub_title_text: `${store.name} 现有 ${format(booked.onHand)}${sku.baseUnit}`,
        button_list: [{ text: '撤销这一笔', style: 2, key: `${STOCK_CARDS.undo}:${booked.id}` }],
      }),
    );
    return sku.name;
  });
}

/** Several SKUs fit (or only a near miss does): offer them on a card instead of guessing. */
async function askWhichSku(ctx: BotContext, inboundId: string, text: string, candidates: CatalogueSku[]): Promise<void> {
  await ctx.reply(
    templateCard({
      card_type: 'button_interaction',
      main_title: { title: '你说的是哪一个？', desc: `「${text.slice(0, 30)}」` },
      sub_title_text: '点一下要记的商品；都不是就写全名称再发一次。',
      // WeCom allows six buttons on a card.
      button_list: candidates.slice(0, 6).map((c, i) => ({ text: c.name, style: i === 0 ? 1 : 2, key: `${STOCK_CARDS.pickSku}:${inboundId}:${c.code}` })),
    }),
  );
}

/** `查库存 奶油`: on-hand in the sender's store; an area manager or admin names the store first (`查库存 二店 奶油`). */
export async function showStock(ctx: BotContext): Promise<void> {
  const words = ctx.args.split(/\s+/).filter(Boolean);
  const named = words.length;
  const store = await actingStore(ctx, words, '查库存 二店 奶油');
  const text = words.length < named ? `查库存 ${words.join(' ')}` : (ctx.message.content ?? '');
  const command = parseStockCommand(text, await loadCatalogue(ctx));
  if (!command || command.kind !== 'query') return;
  if (command.sku.kind === 'unknown' && !command.sku.text) throw new UserFacingError(STOCK_ERRORS.skuMissing, '查哪个商品？例如：查库存 牛奶');
  const sku = requireSku(command.sku);
  const quantity = await onHand(ctx.db, store.code, sku.code);
  // Packs only where there is at least one: "约 0箱" says nothing.
  const packs = sku.packUnits
    .filter((p) => quantity >= p.factor)
    .map((p) => `约 ${format(Math.floor((quantity / p.factor) * 10) / 10)}${p.unit}`)
    .join('，');
  const nearest = quantity > 0 ? await nearestExpiry(ctx.db, store.code, sku.code) : null;
  const expiry = nearest ? `；最近效期 ${dayText(nearest.expiresOn)}（${format(nearest.quantity)}${sku.baseUnit}）` : '';
  await ctx.reply(`${store.name} ${sku.name} 现有 ${format(quantity)}${sku.baseUnit}${packs ? `（${packs}）` : ''}${expiry}`);
}
