import type { Db, DbTx } from '../db';
import type { Staff } from '../generated/prisma/client';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { CardUpdate, OutboundContent } from '../platform/outbound';
import type { WecomClient } from '../platform/wecom-client';
import type { InboundMessage } from './message';

/** The ways a handler answers. Each enqueues into the outbox; nothing is sent inline. */
export interface Messaging {
  /** Enqueues an answer to the sender. Idempotent across re-runs of the handler. */
  reply(content: string | OutboundContent): Promise<void>;
  /**
   * For a card tap: rewrites the tapped card for the person who tapped it (grey out the buttons
   * with a new label, or replace the card).
   */
  updateCard(change: { replaceName: string } | { card: Extract<CardUpdate, { card: unknown }>['card'] }): Promise<void>;
  /** Enqueues a message to other members (a manager, the incoming shift). Same idempotency. */
  send(to: string | string[], content: string | OutboundContent): Promise<void>;
}

/** What every handler gets: the message, who sent it, data access, and a way to answer. */
export interface BotContext extends Messaging {
  message: InboundMessage;
  /** The sender as master data knows them; null for someone not (yet) imported. */
  staff: Staff | null;
  /** Tagged with the inbound id and dedupe key. */
  log: Logger;
  db: Db;
  clock: Clock;
  /** For calls that are not messages (media download, card update). Messages go through reply/send. */
  wecom: WecomClient;
  /** Text after the command word (`入库 奶油 20箱` → `奶油 20箱`); '' for non-commands. */
  args: string;
  /** The match of a `hears` pattern. */
  match: RegExpExecArray | null;
  /** For card taps and menu clicks: what follows the registered key in EventKey (`stock.undo:42` → `42`). */
  keyArg: string;
  /**
   * Runs `fn` in one database transaction whose replies commit with its writes: a booked stock
   * move and its confirmation are stored together or not at all. `timeoutMs` (default 5 s) for
   * the few that write thousands of rows, such as a count's adjustments.
   */
  transaction<T>(fn: (tx: Messaging & { db: DbTx }) => Promise<T>, opts?: { timeoutMs?: number }): Promise<T>;
}

/** What a scheduled job gets. */
export interface JobContext {
  db: Db;
  clock: Clock;
  log: Logger;
  wecom: WecomClient;
  /** The scheduled time of this fire (not when it started). */
  fireTime: Date;
  /** Enqueues a message; a re-run of the same fire enqueues nothing twice. */
  send(to: string | string[], content: string | OutboundContent): Promise<void>;
}
