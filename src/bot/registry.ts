import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Logger } from '../log';
import type { BotContext, JobContext } from './context';
import type { InboundMessage } from './message';

export type Handler = (ctx: BotContext) => Promise<void> | void;
export type Job = (ctx: JobContext) => Promise<void> | void;

/** A feature is a function that registers its commands, cards, events and jobs. */
export type Feature = (bot: BotRegistry) => void;

interface Match {
  args?: string;
  match?: RegExpExecArray;
  keyArg?: string;
}

interface Route {
  /** For logs and the help text. */
  name: string;
  test(message: InboundMessage): Match | null;
  handler: Handler;
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

/** A button for the app menu that `admin setup-menu` creates (WeCom menu JSON). */
export type MenuButton = { name: string; type: string; key?: string; url?: string; sub_button?: MenuButton[] };

const normalize = (text: string) => text.replace(/\u3000/g, ' ').trim();

/**
 * Where features register what they answer to. Matching is a list of small predicates tried in
 * registration order (commands by longest name first); the first match handles the message.
 */
export class BotRegistry {
  private readonly routes: Route[] = [];
  private readonly commandRoutes: { name: string; route: Route }[] = [];
  readonly commands: CommandInfo[] = [];
  readonly jobs: CronJob[] = [];
  readonly menu: MenuButton[] = [];
  readonly syncHandlers = new Map<string, SyncHandler>();
  private fallbackHandler: Handler | null = null;

  /** The app's configuration, for features with settings of their own (null in routing-only tests). */
  constructor(readonly config: Config | null = null) {}

  /** A text message starting with one of `names` (`入库`, `收到`); ctx.args holds the rest. */
  command(names: string | string[], handler: Handler, description = ''): void {
    const list = Array.isArray(names) ? names : [names];
    this.commands.push({ names: list, description });
    for (const name of list) {
      const route: Route = {
        name: `command ${name}`,
        test: (m) => {
          if (m.msgType !== 'text') return null;
          const text = normalize(m.content ?? '');
          return text === name || text.startsWith(name) ? { args: text.slice(name.length).trim() } : null;
        },
        handler,
      };
      this.commandRoutes.push({ name, route });
      this.commandRoutes.sort((a, b) => b.name.length - a.name.length);
    }
  }

  /** A text message matching `pattern`; ctx.match holds the match. */
  hears(pattern: RegExp, handler: Handler): void {
    this.routes.push({
      name: `hears ${pattern}`,
      test: (m) => {
        if (m.msgType !== 'text') return null;
        const match = pattern.exec(normalize(m.content ?? ''));
        return match ? { match } : null;
      },
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

  menuButton(button: MenuButton): void {
    this.menu.push(button);
  }

  /** The route for a message, with what it matched; null when only the fallback applies. */
  resolve(message: InboundMessage): { route: { name: string; handler: Handler }; found: Match } | null {
    for (const route of [...this.commandRoutes.map((c) => c.route), ...this.routes]) {
      const found = route.test(message);
      if (found) return { route, found };
    }
    return this.fallbackHandler ? { route: { name: 'fallback', handler: this.fallbackHandler }, found: {} } : null;
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
