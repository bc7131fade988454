/**
 * Every kind of stock entry, declared once with its words: what staff call it (undo answers, the
 * console's ledger, a late move's points), the chat command words the feature registers, the
 * other words the parser reads as it, and the line the model's prompt gets. The ledger's kinds,
 * the parser's verbs, the commands and the prompt's list of actions are all read from here, so a
 * new kind is one entry.
 */

interface KindDeclaration {
  /** What staff call it, wherever an entry or a move of this kind is named. */
  readonly name: string;
  /**
   * A kind of ledger row (`stock_move.kind`) and which way it moves stock; absent for what staff
   * type that is booked as other kinds (调拨 books `transfer_out`, 盘点 enters a count).
   */
  readonly ledger?: 'in' | 'out' | 'either';
  /** A kind staff type in chat with a SKU and a quantity. */
  readonly typed?: {
    /** The chat commands (registered by index.ts with `help`); the parser reads them anywhere in a message too. */
    readonly commands: readonly string[];
    readonly help: string;
    /** Other words the parser reads as this kind, anywhere in a message. */
    readonly synonyms?: readonly string[];
    /** Everyday phrases as well (`收到` is also "got it", `坏了` "it broke"): read as stock only when the message names a SKU or a quantity too. */
    readonly everyday?: readonly string[];
    /** The verb and the destination's word in one (`奶油5箱调到二店`): what follows is the receiving store. */
    readonly withDestination?: readonly string[];
  };
  /**
   * A kind the language model may read: a message the parser could not read goes to the model only
   * when it starts with one of `startWords`, and only a reading of this kind is offered.
   * `description` is the action's line in prompts/stock/parse.md.
   */
  readonly model?: { readonly startWords: readonly string[]; readonly description: string };
}

export const STOCK_KINDS = {
  receipt: {
    name: '入库',
    ledger: 'in',
    typed: {
      // 收到 is not a command word: `收到` alone is "got it". `收到牛奶两箱` is read by the parser's route.
      commands: ['入库', '到货', '进货'],
      help: '记录入库：入库 奶油 20箱（也可以：到了两箱芒果、入库 奶油2箱 牛奶3箱）',
      everyday: ['进了', '来货', '收货', '收到', '到了', '送到', '送来'],
    },
    model: { startWords: ['入库', '收到', '到货', '进货'], description: '入库、收到、到货、进货' },
  },
  sale: { name: '销售', ledger: 'either' },
  waste: {
    name: '报损',
    ledger: 'out',
    typed: { commands: ['报损', '损耗'], help: '记录报损：报损 牛奶 2盒 过期', synonyms: ['报废'], everyday: ['扔了', '扔掉', '坏了'] },
    model: { startWords: ['报损', '损耗'], description: '报损、损耗、过期、打翻、坏了' },
  },
  return: {
    name: '退货',
    ledger: 'out',
    typed: { commands: ['退货'], help: '退货给供应商：退货 珍珠 1箱 质量问题', synonyms: ['退货给供应商', '退给供应商', '退回供应商', '退供应商'] },
    model: { startWords: ['退货'], description: '退货给供应商' },
  },
  transfer: {
    name: '调拨',
    typed: { commands: ['调拨'], help: '调拨到别的门店：调拨 奶油 5箱 到 二店', synonyms: ['调货'], withDestination: ['调到', '调往', '调给'] },
  },
  transfer_out: { name: '调出', ledger: 'out' },
  transfer_in: { name: '调入', ledger: 'in' },
  count: { name: '盘点', typed: { commands: ['盘点'], help: '录入实盘数量：盘点 奶油 18盒', synonyms: ['实盘'] } },
  count_adjustment: { name: '盘点调整', ledger: 'either' },
  reversal: { name: '撤销', ledger: 'either' },
  // Production (出炉、备料, recipes/production.ts): the prepared item in, its ingredients out by the recipe.
  production_in: { name: '生产入库', ledger: 'in' },
  production_out: { name: '生产领用', ledger: 'out' },
} as const satisfies Record<string, KindDeclaration>;

type Kinds = typeof STOCK_KINDS;
export type StockKind = keyof Kinds;
type KindsWith<Field extends keyof KindDeclaration> = { [K in StockKind]: Kinds[K] extends Record<Field, unknown> ? K : never }[StockKind];
/** The ledger's kinds (`stock_move.kind`). */
export type LedgerKind = KindsWith<'ledger'>;
/** Every command that carries a SKU and a quantity: moves, transfers (`调拨`) and count entries (`盘点`). */
export type QuantityVerb = KindsWith<'typed'>;
/** What staff type that books a move of its own kind: receipts, waste, returns. */
export type MoveKind = Extract<QuantityVerb, LedgerKind>;
/** What the model may read. */
export type ModelKind = KindsWith<'model'>;

const kindsWith = <K extends StockKind>(field: keyof KindDeclaration) => (Object.keys(STOCK_KINDS) as StockKind[]).filter((k) => field in STOCK_KINDS[k]) as K[];
export const LEDGER_KINDS = kindsWith<LedgerKind>('ledger');
export const QUANTITY_VERBS = kindsWith<QuantityVerb>('typed');
export const MODEL_KINDS = kindsWith<ModelKind>('model');

/** A move kind in words, for a kind read back from the database. */
export const moveKindText = (kind: string): string => (STOCK_KINDS as Record<string, KindDeclaration>)[kind]?.name ?? kind;

/** +1 for a kind that brings stock in, −1 for one that takes it out. */
export const signOf = (kind: MoveKind): 1 | -1 => (STOCK_KINDS[kind].ledger === 'in' ? 1 : -1);

/** Every word the parser reads as a kind: the commands and synonyms, the everyday phrases and the words with a destination marked as such. */
export function verbWords(): { word: string; kind: QuantityVerb; everyday?: true; withDestination?: true }[] {
  return QUANTITY_VERBS.flatMap((kind) => {
    const typed: NonNullable<KindDeclaration['typed']> = STOCK_KINDS[kind].typed;
    return [
      ...[...typed.commands, ...(typed.synonyms ?? [])].map((word) => ({ word, kind })),
      ...(typed.everyday ?? []).map((word) => ({ word, kind, everyday: true as const })),
      ...(typed.withDestination ?? []).map((word) => ({ word, kind, withDestination: true as const })),
    ];
  });
}

/** The prompt's list of actions, one line per kind the model may read. */
export const modelKindLines = (): string => MODEL_KINDS.map((kind) => `- \`${kind}\`：${STOCK_KINDS[kind].model.description}`).join('\n');

/** Where a move came from, in staff's words. */
export const MOVE_SOURCE_TEXT = { chat: '聊天', scan: '扫码', pos: '收银系统', erp: 'ERP', wms: '仓储系统', count: '盘点' } as const;
export type MoveSource = keyof typeof MOVE_SOURCE_TEXT;
/** A move's source in words, for a source read back from the database. */
export const moveSourceText = (source: string): string => (MOVE_SOURCE_TEXT as Record<string, string>)[source] ?? source;
