import type { Clock } from '../clock';
import type { Config } from '../config';
import type { ConsoleApi, ConsoleSection, PhotoStore } from '../console/types';
import type { Db } from '../db';
import type { Logger } from '../log';
import type { Ladder, SettingsSlice } from '../settings';
import type { BotContext, JobContext } from './context';
import type { InboundMessage } from './message';

export type Handler = (ctx: BotContext) => Promise<void> | void;
export type Job = (ctx: JobContext) => Promise<void> | void;

/**
 * A feature is a plug-in: everything it adds to the bot is declared here or registered by
 * `register`, from its own folder. Adding one to the app is one line in src/features/index.ts.
 */
export interface Feature {
  /** Names it in logs and errors: `stock`, `handover`. */
  name: string;
  /** The environment variables it reads, and the settings it makes of them (`config[settings.key]`). */
  settings?: SettingsSlice;
  /** The escalation ladders its tasks walk, by name (`stock.lossHold`); TASK_LADDERS may replace them. */
  ladders?: Record<string, Ladder>;
  /** Its part of the sandbox's demo chain, seeded on first start in feature order (master data first). */
  demo?(db: Db, demo: DemoContext): Promise<void>;
  /** Registers its commands, cards, events, jobs, sync documents, score parts, menu buttons and console parts. */
  register(bot: BotRegistry): void;
}

export interface DemoContext {
  /** The sandbox's start: demo data is dated relative to it. */
  now: Date;
  config: Config;
}

interface Match {
  args?: string;
  match?: RegExpExecArray;
  keyArg?: string;
}

/** Whether a matching route takes this message after all (is this person in the middle of something?). */
export type Guard = (ctx: BotContext) => Promise<boolean> | boolean;

interface Route {
  /** For logs and the help text. */
  name: string;
  test(message: InboundMessage): Match | null;
  handler: Handler;
  when?: Guard;
}

export interface Candidate {
  route: { name: string; handler: Handler; when?: Guard };
  found: Match;
}

export interface CommandInfo {
  names: string[];
  description: string;
}

/** A document a POS, ERP or WMS posts to the sync API, after the edge has checked its signature. */
export interface SyncRequest {
  /** The signing source (a key of SYNC_KEYS): `erp`, `pos`… */
  source: string;
  /** The request body as sent (JSON text). */
  body: string;
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
}

/** `accepted` is answered 200 with `result`; `invalid` is answered 400 listing every problem. */
export type SyncOutcome = { accepted: true; result: Record<string, unknown> } | { accepted: false; problems: { line: number; message: string }[] };
export type SyncHandler = (request: SyncRequest) => Promise<SyncOutcome>;

export interface CronJob {
  /** `<feature>.<verb><Noun>`: also the key replicas agree on. */
  name: string;
  schedule: string;
  run: Job;
}

/** The four parts of the monthly store health score (#8); each is measured by the feature that owns its data. */
export const SCORE_PART_NAMES = ['inventoryAccuracy', 'handoverCompleteness', 'memberActivity', 'taskTimeliness'] as const;
export type ScorePartName = (typeof SCORE_PART_NAMES)[number];

/** One store's measure of one part for one period. */
export interface PartMeasure {
  /** 0..1, 1 = perfect, as defined in the README for this part; the score module maps it to points. */
  ratio: number;
  /** The figures behind it, shown to managers: `{ counts: 3, accuracyByQuantity: 0.987 }`. */
  facts: Record<string, number | string>;
  /** What cost the most, biggest first, each with how much of `ratio` it took away (0..1; together at most 1 − ratio). */
  losses: { label: string; lost: number }[];
}

/**
 * Measures a part for every store in `storeCodes` over [start, end). A store with no data for the
 * period is ABSENT from the map (shown as "missing"), never given a made-up ratio.
 */
export type ScorePartSource = (db: Db, period: { start: Date; end: Date }, storeCodes: string[]) => Promise<Map<string, PartMeasure>>;

/** A button for the app menu that `admin setup-menu` creates (WeCom menu JSON). */
export type MenuButton = { name: string; type: string; key?: string; url?: string; sub_button?: MenuButton[] };

/** menu/create's limits (WeCom codes 40016–40027). */
const MENU_LIMITS = { topLevel: 3, subButtons: 5 };

const normalize = (text: string) => text.replace(/\u3000/g, ' ').trim();

/**
 * What, right after a command word, makes it part of another phrase: `收到了` / `收到吗` ("got it",
 * "did you get it") are not 收到, `撤销了吗` asks about an undo. `收到牛奶` is 收到 and 牛奶, and
 * `help` is not the start of `helpful`.
 */
const PHRASE_GOES_ON = /^[了吗嘛么呢啊呀哦没过着的]/u;
const endsWord = (name: string, rest: string) => !PHRASE_GOES_ON.test(rest) && !(/[A-Za-z0-9]$/.test(name) && /^[A-Za-z0-9]/.test(rest));

/**
 * Where features register what they answer to. Matching is a list of small predicates tried in
 * registration order (awaited answers first, then commands by longest name first); the first
 * match whose guard agrees handles the message.
 */
export class BotRegistry {
  private readonly routes: Route[] = [];
  private readonly commandRoutes: { name: string; route: Route }[] = [];
  private readonly awaitedRoutes: Route[] = [];
  readonly commands: CommandInfo[] = [];
  readonly jobs: CronJob[] = [];
  readonly menu: MenuButton[] = [];
  readonly syncHandlers = new Map<string, SyncHandler>();
  readonly scoreParts = new Map<ScorePartName, ScorePartSource>();
  /** The tables of a store's console page, in page order (`order`). */
  readonly consoleSections: ConsoleSection[] = [];
  readonly consoleApis: ConsoleApi[] = [];
  readonly consolePhotoStores: PhotoStore[] = [];
  private fallbackHandler: Handler | null = null;

  /** `config`: what features read at registration (time zone, model, score rules). */
  constructor(readonly config: Config) {}

  /** A text message starting with one of `names` (`入库`, `撤销`) as a word of its own; ctx.args holds the rest. */
  command(names: string | string[], handler: Handler, description = ''): void {
    const list = Array.isArray(names) ? names : [names];
    this.commands.push({ names: list, description });
    for (const name of list) {
      const route: Route = {
        name: `command ${name}`,
        test: (m) => {
          if (m.msgType !== 'text') return null;
          const text = normalize(m.content ?? '');
          return text.startsWith(name) && endsWord(name, text.slice(name.length)) ? { args: text.slice(name.length).trim() } : null;
        },
        handler,
      };
      this.commandRoutes.push({ name, route });
      this.commandRoutes.sort((a, b) => b.name.length - a.name.length);
    }
  }

  /**
   * A text message matching `pattern`; ctx.match holds the match. With `when`, the route takes
   * the message only if the guard agrees, else routing goes on: a bare `3` answers whichever
   * feature is waiting for a number from this person (a scan's quantity, a handover item).
   */
  hears(pattern: RegExp, handler: Handler, opts: { when?: Guard } = {}): void {
    this.routes.push({
      when: opts.when,
      name: `hears ${pattern}`,
      test: (m) => {
        if (m.msgType !== 'text') return null;
        const match = pattern.exec(normalize(m.content ?? ''));
        return match ? { match } : null;
      },
      handler,
    });
  }

  /**
   * Any text from someone a feature is waiting on — the handover item being asked — tried before
   * every command and pattern whenever `when` agrees, so `入库 牛奶 2箱` typed as a handover note
   * is that note, not a receipt. The texts in `except` (a way out, 帮助) still go their usual way.
   */
  awaitedText(name: string, handler: Handler, opts: { when: Guard; except?: string[] }): void {
    const except = new Set(opts.except ?? []);
    this.awaitedRoutes.push({
      name: `awaited ${name}`,
      when: opts.when,
      test: (m) => (m.msgType === 'text' && !except.has(normalize(m.content ?? '')) ? {} : null),
      handler,
    });
  }

  /** A tap on a template-card button whose key is `key` or `key:<arg>`. */
  card(key: string, handler: Handler): void {
    this.keyed(`card ${key}`, (m) => m.event === 'template_card_event', key, handler);
  }

  /** A tap on an app-menu button of type `click`. */
  menuClick(key: string, handler: Handler): void {
    this.keyed(`menu ${key}`, (m) => m.event === 'click', key, handler);
  }

  /** A scan from a menu button of type `scancode_push` / `scancode_waitmsg`. */
  scan(key: string, handler: Handler): void {
    this.keyed(`scan ${key}`, (m) => m.event === 'scancode_push' || m.event === 'scancode_waitmsg', key, handler);
  }

  /** A message of a type (`image`, `voice`, `location`…): never an event of the same name. */
  on(msgType: string, handler: Handler): void {
    this.routes.push({ name: `on ${msgType}`, test: (m) => (m.msgType === msgType && m.msgType !== 'event' ? {} : null), handler });
  }

  /** An event (`enter_agent`, `subscribe`, WeCom's `location` report…), lower-cased. */
  onEvent(event: string, handler: Handler): void {
    this.routes.push({ name: `event ${event}`, test: (m) => (m.msgType === 'event' && m.event === event ? {} : null), handler });
  }

  /** What answers when nothing else does. */
  fallback(handler: Handler): void {
    this.fallbackHandler = handler;
  }

  cron(name: string, schedule: string, run: Job): void {
    if (this.jobs.some((j) => j.name === name)) throw new Error(`cron job ${name} registered twice`);
    this.jobs.push({ name, schedule, run });
  }

  /** POST /api/sync/<document>: signed documents from the chain's POS, ERP or WMS. */
  sync(document: string, handler: SyncHandler): void {
    if (this.syncHandlers.has(document)) throw new Error(`sync document ${document} registered twice`);
    this.syncHandlers.set(document, handler);
  }

  /** The source of one part of the store health score; each part has exactly one. */
  scorePart(name: ScorePartName, source: ScorePartSource): void {
    if (!SCORE_PART_NAMES.includes(name)) throw new Error(`unknown score part ${name}`);
    if (this.scoreParts.has(name)) throw new Error(`score part ${name} registered twice`);
    this.scoreParts.set(name, source);
  }

  /** A table on every store's console page (src/console/types.ts: ConsoleSection), placed by its `order`. */
  consoleSection(section: ConsoleSection): void {
    if (this.consoleSections.some((s) => s.key === section.key)) throw new Error(`console section ${section.key} registered twice`);
    this.consoleSections.push(section);
    this.consoleSections.sort((a, b) => a.order - b.order);
  }

  /** A JSON endpoint of the console, for the whole chain or under a store (src/console/types.ts: ConsoleApi). */
  consoleApi(api: ConsoleApi): void {
    if (this.consoleApis.some((a) => a.method === api.method && a.scope === api.scope && a.path === api.path)) throw new Error(`console API ${api.method} ${api.scope} ${api.path} registered twice`);
    this.consoleApis.push(api);
  }

  /** Which store the photos of this feature's records belong to, for the console's photo route. */
  consolePhotos(storeOf: PhotoStore): void {
    this.consolePhotoStores.push(storeOf);
  }

  /**
   * A button of the app menu. WeCom allows three top-level buttons of five sub-buttons each, so
   * features that are not the daily work put theirs `under` a shared top-level entry (`更多`),
   * which is created where it is first named. A layout WeCom would refuse fails at start-up.
   */
  menuButton(button: MenuButton, placement: { under?: string } = {}): void {
    const parent = placement.under ? this.menu.find((b) => b.name === placement.under && b.sub_button) : undefined;
    const topLevel = this.menu.length + (placement.under && parent ? 0 : 1);
    if (topLevel > MENU_LIMITS.topLevel)
      throw new Error(`the app menu would have more than ${MENU_LIMITS.topLevel} top-level buttons: ${[...this.menu.map((b) => b.name), placement.under ?? button.name].join(', ')}`);
    if (parent && parent.sub_button!.length >= MENU_LIMITS.subButtons) throw new Error(`the app menu's 「${parent.name}」 would have more than ${MENU_LIMITS.subButtons} sub-buttons`);
    if (!placement.under) this.menu.push(button);
    else if (parent) parent.sub_button!.push(button);
    else this.menu.push({ name: placement.under, type: 'click', sub_button: [button] });
  }

  /**
   * The routes a message matches, in the order they are tried (guards not yet asked): awaited
   * answers, commands, the other routes in registration order, then the fallback.
   */
  *matches(message: InboundMessage): Generator<Candidate> {
    for (const route of [...this.awaitedRoutes, ...this.commandRoutes.map((c) => c.route), ...this.routes]) {
      const found = route.test(message);
      if (found) yield { route, found };
    }
    if (this.fallbackHandler) yield { route: { name: 'fallback', handler: this.fallbackHandler }, found: {} };
  }

  private keyed(name: string, isKind: (m: InboundMessage) => boolean, key: string, handler: Handler): void {
    this.routes.push({
      name,
      test: (m) => {
        if (!isKind(m) || m.eventKey === undefined) return null;
        if (m.eventKey === key) return { keyArg: '' };
        return m.eventKey.startsWith(`${key}:`) ? { keyArg: m.eventKey.slice(key.length + 1) } : null;
      },
      handler,
    });
  }
}
