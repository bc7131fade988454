import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Db } from '../db';
import type { MediaFile, Staff, Store } from '../generated/prisma/client';
import type { Logger } from '../log';

/**
 * What a feature adds to the manager console, registered on the bot (src/bot/registry.ts): the
 * tables of a store's page (`bot.consoleSection`), JSON endpoints of its own (`bot.consoleApi`),
 * and which store its photos belong to (`bot.consolePhotos`). The console mounts them behind its
 * sign-in, CSRF and role checks; a feature never sees a request that did not pass them.
 */

export interface SectionColumn {
  key: string;
  label: string;
  /** How the page filters on this column: free text, or a choice of the values present. */
  filter?: 'select';
  /** `photos`: the cell holds photo URLs separated by spaces; the page shows them as thumbnails. */
  format?: 'photos';
}

/**
 * A table's columns in page order, by key: the label, or the label and how the page treats the
 * column — `columns({ name: '商品', category: ['分类', 'select'] }, { photos: ['照片', 'photos'] })`.
 * A wide table comes in several groups (what was sent, what it earned…), read one after another.
 */
export function columns(...groups: Record<string, string | [label: string, treat: 'select' | 'photos']>[]): SectionColumn[] {
  return groups.flatMap((group) =>
    Object.entries(group).map(([key, value]): SectionColumn => {
      if (typeof value === 'string') return { key, label: value };
      const [label, treat] = value;
      return treat === 'select' ? { key, label, filter: 'select' } : { key, label, format: 'photos' };
    }),
  );
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
  /** The whole configuration: a section reads its feature's settings here (`config.stockChecks`). */
  config: Config;
  /** The chain's time zone (config.timezone), for the dates in cells. */
  timezone: string;
  /** Who is looking or acting: which row actions they may take, who took one. */
  viewer: Staff;
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
 * One table on a store's console page, registered by its feature with `bot.consoleSection`; the
 * page renders it with filters and CSV export, and every request for it has passed the role check
 * for the store.
 */
export interface ConsoleSection {
  key: string;
  title: string;
  /**
   * Where it stands on the store's page, lowest first. Today's sections use 10…110 in steps of 10
   * (任务 10 … 会员活动效果 110), so a new one can stand between two of them.
   */
  order: number;
  columns: SectionColumn[];
  rows(ctx: SectionContext, storeCode: string): Promise<SectionRow[]>;
  /** One line above the table (the handover log's hash-chain check). */
  summary?(ctx: SectionContext, storeCode: string): Promise<string>;
  chart?: SectionChart;
  /** Tapping a row opens this table about it (a count's variance per SKU, a handover's items). */
  detail?: SectionDetail;
  /** A row's action by a member who may see the store (ctx.viewer). Throws ActionRefused for a clear 4xx. */
  act?(ctx: SectionContext, storeCode: string, rowId: string, action: string): Promise<void>;
}

/**
 * What a section or endpoint cannot do (already done, not this store's, a form filled wrong):
 * answered `status` (409 unless said) with `{ error: code, message: reason }`, the reason in Chinese.
 */
export class ActionRefused extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
    readonly status = 409,
  ) {
    super(reason);
  }
}

/** A store as the console shows it, and as an endpoint of store scope gets it. */
export type ConsoleStore = Pick<Store, 'code' | 'name' | 'area'>;

/** What an endpoint is given: the signed-in member, and the request as parsed. */
export interface ConsoleRequest {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  /** The signed-in member (an active manager: src/console/access.ts). */
  staff: Staff;
  /** The path's named parts (`:id`), the store's `code` among them for store scope. */
  params: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
  /** A POST's JSON object (the console has checked it is JSON from our page); `{}` for a GET. */
  body: Record<string, unknown>;
}

/**
 * What an endpoint answers: `body` as JSON with `status` (200 unless said). With `csv`, a request
 * with `format=csv` gets that table as a CSV download instead (as the sections' tables do).
 */
export interface ConsoleAnswer {
  status?: number;
  body: unknown;
  csv?: { name: string; columns: SectionColumn[]; rows: SectionRow[] };
}

/**
 * A JSON endpoint of a feature under /console/api. `chain` scope: `/console/api<path>`, for any
 * signed-in member (who sees which stores is theirs to ask: visibleStores, src/people.ts).
 * `store` scope: `/console/api/stores/:code<path>`, only for a member who may see that store,
 * which the handler gets. A POST must be JSON with the session's CSRF token, from our origin.
 */
export type ConsoleApi =
  | { method: 'GET' | 'POST'; scope: 'chain'; path: string; handler(request: ConsoleRequest): Promise<ConsoleAnswer> }
  | { method: 'GET' | 'POST'; scope: 'store'; path: string; handler(request: ConsoleRequest & { store: ConsoleStore }): Promise<ConsoleAnswer> };

/**
 * Which store a stored photo belongs to, by the record it documents (a handover item, a work
 * order): its store's role check decides who may see it. `undefined`: not a photo of this
 * feature's records; `null`: it was, and the record is gone (the photo is then unknown).
 */
export type PhotoStore = (db: Db, photo: MediaFile) => Promise<string | null | undefined>;

/** Where the page loads a photo: under its store, so the store's role check covers it. */
export const photoPath = (storeCode: string, id: bigint) => `/console/api/stores/${encodeURIComponent(storeCode)}/photos/${id}`;

export const dateTime = (at: Date, timezone: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
