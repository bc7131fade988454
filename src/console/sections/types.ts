import type { Clock } from '../../clock';
import type { CountTolerance } from '../../features/stock';
import type { Db } from '../../db';
import type { Staff } from '../../generated/prisma/client';

export interface SectionColumn {
  key: string;
  label: string;
  /** How the page filters on this column: free text, or a choice of the values present. */
  filter?: 'select';
  /** `photos`: the cell holds photo URLs separated by spaces; the page shows them as thumbnails. */
  format?: 'photos';
}

export type Cell = string | number | null;

export interface SectionRow {
  /** What an action names the row by (a task id). */
  id?: string;
  cells: Record<string, Cell>;
  /**
   * Buttons on the row; each posts to the section's `act`, or, with `post`, to that API path of its
   * own with `{ requestId }` (a feature's endpoint with its own checks: a loss hold's 批准/驳回).
   */
  actions?: { key: string; label: string; post?: string }[];
}

export interface SectionContext {
  db: Db;
  clock: Clock;
  timezone: string;
  /** What the stock feature counts as accurate (COUNT_TOLERANCE_*), so the console's figures match its own. */
  countTolerance: CountTolerance;
  /** Who is looking (the section's table): which row actions they may take. */
  viewer?: Staff;
}

/** A chart the page draws over a table's rows (as filtered): one category column, numeric series. */
export interface SectionChart {
  kind: 'bar' | 'line';
  category: string;
  series: string[];
  /** Rows come newest first; a trend reads oldest first. */
  reversed?: boolean;
  /** Only the first rows (the table is sorted by what matters most). */
  limit?: number;
}

/** What opens under a section when a row is tapped: one more table, about that row. */
export interface SectionDetail {
  columns: SectionColumn[];
  chart?: SectionChart;
  /** Null when the row is not this store's (or does not exist): 404. */
  rows(ctx: SectionContext, storeCode: string, rowId: string): Promise<{ title: string; summary?: string; rows: SectionRow[] } | null>;
}

/**
 * One table on a store's console page. A feature's data shows in the console by adding a section
 * to SECTIONS (src/console/sections/index.ts); the page renders it with filters and CSV export,
 * and every request for it has passed the role check for the store.
 */
export interface ConsoleSection {
  key: string;
  title: string;
  columns: SectionColumn[];
  rows(ctx: SectionContext, storeCode: string): Promise<SectionRow[]>;
  /** One line above the table (the handover log's hash-chain check). */
  summary?(ctx: SectionContext, storeCode: string): Promise<string>;
  chart?: SectionChart;
  /** Tapping a row opens this table about it (a count's variance per SKU, a handover's items). */
  detail?: SectionDetail;
  /** A row's action by a member who may see the store. Throws ActionRefused for a clear 4xx. */
  act?(ctx: SectionContext & { staff: Staff }, storeCode: string, rowId: string, action: string): Promise<void>;
}

/** An action that cannot be done (already done, not this store's): 409 with the Chinese reason. */
export class ActionRefused extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
    readonly status = 409,
  ) {
    super(reason);
  }
}

export const dateTime = (at: Date, timezone: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
