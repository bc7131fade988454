import { z } from 'zod';
import { jsonText, ladderStep, optionalText, settingsSlice, type Ladder } from '../../settings';

/** The checks at entry and the chasing of late stock entries (see README.md, "Stock checks"). */
export interface StockCheckSettings {
  /** Today's waste of a SKU above this share of the day's stock is held for review. */
  lossShareOfOnHand: number;
  /** Above this multiple of the limit, the store manager must approve too. */
  lossManagerMultiple: number;
  /** A delivery not booked, or a move recorded, this long after it happened is late. */
  lateEntryMinutes: number;
  /** Points a store loses per late delivery or late move. */
  latePoints: number;
  /** Reorder up to safety stock plus this many days of forecast usage. */
  reorderCoverDays: number;
  /** A model reading a stock message gets this long before the bot says it did not understand. */
  llmTimeoutMs: number;
  /** A held waste or a model's reading not confirmed this long after it was asked becomes due: its task's ladder starts. */
  confirmRemindMinutes: number;
  /** `撤销` (in chat or on the card) reverses the sender's last move only this long after it was booked. */
  undoMinutes: number;
  /** How far a counted quantity may be off the book and still count as accurate. */
  countTolerance: CountTolerance;
  /** A quantity typed in chat above its SKU's limit is asked back before anything is booked. */
  largeMove: LargeMoveSettings;
  /** What the health score's inventory accuracy measures: the counts against the book, or the usage periods' variance. */
  accuracyMeasure: 'count' | 'usage';
  /** Batches that expire within this many days (today counting as 0) are 临期: listed in chat and the console, and told to the store once. */
  expiryWarnDays: number;
}

/** The largest quantity (base units) of one chat entry booked without asking back; see large-moves.ts. */
export interface LargeMoveSettings {
  /** Above this multiple of the SKU's largest move in the store over the last 90 days. */
  multiple: number;
  /** With no such history: this many of the SKU's largest unit (50箱). */
  packs: number;
  /** Fixed limits that replace the two above, per SKU code and per category. */
  bySku: Record<string, number>;
  byCategory: Record<string, number>;
}

/** Shares of the book (0.02 = ±2%): the chain's, and per SKU category where one is set. */
export interface CountTolerance {
  share: number;
  byCategory: Record<string, number>;
}

declare module '../../settings' {
  interface FeatureSettings {
    stockChecks: StockCheckSettings;
  }
}

const positiveByKey = (error: string) => optionalText.pipe(jsonText.pipe(z.record(z.string().trim().min(1), z.number().gt(0), { error })).optional());

export const stockSettings = settingsSlice({
  key: 'stockChecks',
  env: z.object({
    STOCK_LOSS_SHARE_OF_ON_HAND: z.coerce.number().gt(0).max(1).default(0.3),
    STOCK_LOSS_MANAGER_MULTIPLE: z.coerce.number().min(1).default(2),
    STOCK_LATE_ENTRY_MINUTES: z.coerce.number().int().min(1).default(120),
    STOCK_LATE_POINTS: z.coerce.number().int().min(0).default(1),
    STOCK_REORDER_COVER_DAYS: z.coerce.number().min(0).default(3),
    STOCK_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(4000),
    STOCK_CONFIRM_REMIND_MINUTES: z.coerce.number().int().min(1).default(30),
    STOCK_UNDO_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(10),
    STOCK_LARGE_MOVE_MULTIPLE: z.coerce.number().min(1).default(3),
    STOCK_LARGE_MOVE_PACKS: z.coerce.number().gt(0).default(50),
    STOCK_LARGE_MOVE_BY_CATEGORY: positiveByKey('must be a JSON object of category → base units, e.g. {"乳品":240,"水果":400}'),
    STOCK_LARGE_MOVE_BY_SKU: positiveByKey('must be a JSON object of SKU code → base units, e.g. {"CREAM":120}'),
    STOCK_EXPIRY_WARN_DAYS: z.coerce.number().int().min(0).max(365).default(2),
    COUNT_TOLERANCE_PERCENT: z.coerce.number().min(0, 'must be a percentage from 0 to 100').max(100, 'must be a percentage from 0 to 100').default(2),
    COUNT_TOLERANCE_BY_CATEGORY: optionalText.pipe(
      jsonText.pipe(z.record(z.string().trim().min(1), z.number().min(0).max(100), { error: 'must be a JSON object of category → percentage (0–100), e.g. {"乳品":1,"干货":3}' })).optional(),
    ),
    STOCK_ACCURACY_MEASURE: z.enum(['count', 'usage'], { error: 'must be count (counted against the book) or usage (theoretical against actual usage)' }).default('count'),
  }),
  build: (e) => ({
    lossShareOfOnHand: e.STOCK_LOSS_SHARE_OF_ON_HAND,
    lossManagerMultiple: e.STOCK_LOSS_MANAGER_MULTIPLE,
    lateEntryMinutes: e.STOCK_LATE_ENTRY_MINUTES,
    latePoints: e.STOCK_LATE_POINTS,
    reorderCoverDays: e.STOCK_REORDER_COVER_DAYS,
    llmTimeoutMs: e.STOCK_LLM_TIMEOUT_MS,
    confirmRemindMinutes: e.STOCK_CONFIRM_REMIND_MINUTES,
    undoMinutes: e.STOCK_UNDO_MINUTES,
    countTolerance: {
      share: e.COUNT_TOLERANCE_PERCENT / 100,
      byCategory: Object.fromEntries(Object.entries(e.COUNT_TOLERANCE_BY_CATEGORY ?? {}).map(([category, percent]) => [category, percent / 100])),
    },
    expiryWarnDays: e.STOCK_EXPIRY_WARN_DAYS,
    largeMove: { multiple: e.STOCK_LARGE_MOVE_MULTIPLE, packs: e.STOCK_LARGE_MOVE_PACKS, bySku: e.STOCK_LARGE_MOVE_BY_SKU ?? {}, byCategory: e.STOCK_LARGE_MOVE_BY_CATEGORY ?? {} },
    accuracyMeasure: e.STOCK_ACCURACY_MEASURE,
  }),
});

/** The escalation ladders of what stock asks of staff (TASK_LADDERS may replace them). */
export const STOCK_LADDERS: Record<string, Ladder> = {
  /** Waste over the day's limit not confirmed (STOCK_CONFIRM_REMIND_MINUTES after it was held): the sender, then the store manager; after 12 h it is void. */
  'stock.lossHold': {
    steps: [ladderStep('assignee'), ladderStep('store_manager', 60)],
    expireAfterMinutes: 12 * 60,
    quietHours: true,
  },
  /** A model's reading nobody confirmed: the sender once; void before the entry would count as late (2 h). */
  'stock.modelReading': {
    steps: [ladderStep('assignee')],
    expireAfterMinutes: 60,
    quietHours: true,
  },
};
