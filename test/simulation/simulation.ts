import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { BOT_FEATURES } from '../../src/main';
import { openDatabase, type Database } from '../../src/db';
import { importMasterData } from '../../src/features/masterdata/import';
import { signSync, syncSigningString } from '../../src/edge/sync';
import { computeMonth } from '../../src/features/score/repository';
import { scorePercent } from '../../src/features/score/compute';
import { DEFAULT_SCORE_RULES } from '../../src/features/score/rules';
import type { DeliveredMessage } from '../../src/sandbox/fake-wecom';
import { visibleText } from '../../src/platform/sender';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { pgliteTemplatePath } from '../helpers/database';
import globalSetup from '../helpers/global-setup';
import { eventMessage, innerXml, textMessage } from '../helpers/wecom-callback';
import { cronMatcher, latestFire } from './cron';
import { Random } from './random';
import { dailyUse, masterDataCsv, MENU, SKUS, storeCode, type SimSku, type SimStore } from './catalogue';
import { ANSWERS, countText, multiReceiptText, receiptText, STAFF, STORE, wasteText } from './behaviour';
import type { ArmFigures, ArmName, ChainDay, SimulationOptions, StoreDay } from './figures';

/**
 * One arm of the simulated month: the real bot (every feature of main.ts) on loopback against the
 * fake WeCom, on a database of its own, driven only from outside — the signed sync API for the
 * till and the ERP, the encrypted callback for what staff type and tap, the scheduler's runJob for
 * what cron would fire. The simulator keeps the shelf itself and compares the bot's book with it.
 */
const START = Date.parse('2026-11-01T00:00:00+08:00');
const OFFSET_MINUTES = 8 * 60; // Asia/Shanghai, the chain's zone (APP_TIMEZONE below)
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** The scheduler is caught up at least this often (jobs due in between run once, at their latest fire). */
const TICK = 30 * MINUTE;
/** Jobs are run when at least this much simulated time has passed since they last were (a `*\/5` job then runs every half hour: a late delivery is chased up to 30 minutes after it is due). */
const JOB_CATCH_UP = 30 * MINUTE;
const SECRETS = { pos: 'sim-pos-secret-0123456789', erp: 'sim-erp-secret-0123456789' };
/** The chain's count tolerance (COUNT_TOLERANCE_PERCENT's default). */
const TOLERANCE = 0.02;
/** Share of a day's sales in each opening hour, 08:00–21:59 (lunch and afternoon peaks). Assumed. */
const HOUR_WEIGHTS = normalise([3, 4, 6, 10, 12, 9, 8, 9, 8, 7, 7, 7, 6, 4]);
const OPENING_HOUR = 8;
/** The till posts its sales every this many hours (one signed document per store). */
const SALES_HOURS = 2;
/** Categories a manager's evening cycle count takes in turn (every SKU counted every 4 days). */
const COUNT_ROTATION = ['包材', '水果', '烘焙', '乳品'];

/**
 * Settings of the checks-off arm: a plain ledger. Waste is never held (the limit is the whole day's
 * stock), nothing is ever late (a year), so no delivery or late-entry chasing and no points, and no
 * quantity is asked back. Delivery matching still runs (it only closes notices); there are no
 * cycle counts and nobody answers a nudge (there are none to answer).
 */
export const CHECKS_OFF_ENV: Record<string, string> = {
  STOCK_LOSS_SHARE_OF_ON_HAND: '1',
  STOCK_LOSS_MANAGER_MULTIPLE: '1000',
  STOCK_LATE_ENTRY_MINUTES: String(365 * 24 * 60),
  STOCK_LATE_POINTS: '0',
  STOCK_LARGE_MOVE_MULTIPLE: '1000',
  STOCK_LARGE_MOVE_PACKS: '100000',
};

interface Delivery {
  id: string;
  store: SimStore;
  expectedAt: number;
  arrivesAt: number;
  lines: { sku: SimSku; noticedPacks: number; actualPacks: number }[];
  arrived: boolean;
  /** Booked from the late-delivery card: staff who had not booked it yet no longer do. */
  bookedFromCard: boolean;
}

interface SimEvent {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

export async function runArm(arm: ArmName, opts: SimulationOptions): Promise<ArmFigures> {
  const started = performance.now();
  const clock = new TestClock(START);
  const database = await openSimDatabase(opts.databaseUrl);
  const h = await startHarness({
    features: BOT_FEATURES,
    clock,
    database,
    env: { SYNC_KEYS: `pos:${SECRETS.pos},erp:${SECRETS.erp}`, APP_TIMEZONE: 'Asia/Shanghai', ...(arm === 'off' ? CHECKS_OFF_ENV : {}) },
  });
  try {
    return await new ArmRun(arm, opts, h, clock).run(started);
  } finally {
    await h.stop();
    await database.close();
  }
}

class ArmRun {
  private readonly root: Random;
  private readonly stores: SimStore[];
  private readonly shelf = new Map<string, Map<string, number>>();
  private readonly deliveries = new Map<string, Delivery>();
  private readonly events: SimEvent[] = [];
  private seq = 0;
  private eventSeq = 0;
  private messageCursor = 0;
  private lastJobsAt = START - MINUTE;
  private readonly jobs: { job: Harness['app']['bot']['jobs'][number]; matches: ReturnType<typeof cronMatcher> }[];
  private readonly storeOfUser = new Map<string, SimStore>();
  private readonly use = dailyUse();
  private readonly tally = { chatMessages: 0, taps: 0, salesDocuments: 0, deliveryNotices: 0, receiptsRefused: 0, wasteRefused: 0, countsDone: 0, countsBlocked: 0, jobRuns: 0 };
  private readonly refusals = new Map<string, number>();
  /** Wall-clock milliseconds spent per kind of call (where a run's time goes). */
  private readonly timing: Record<string, number> = { jobs: 0, chat: 0, taps: 0, sync: 0, measure: 0 };
  private readonly storeDays: StoreDay[] = [];
  private readonly chainDays: ChainDay[] = [];

  constructor(
    private readonly arm: ArmName,
    private readonly opts: SimulationOptions,
    private readonly h: Harness,
    private readonly clock: TestClock,
  ) {
    this.root = new Random(opts.seed);
    const trade = this.root.fork('trade');
    this.stores = Array.from({ length: opts.stores }, (_, i) => {
      const code = storeCode(i);
      const n = i + 1;
      return { code, name: `${n}号店`, alias: `${n}店`, trade: 0.6 + 0.8 * trade.next(), manager: `m_${code}`, staff: [`a_${code}`, `b_${code}`] };
    });
    for (const s of this.stores) for (const u of [s.manager, ...s.staff]) this.storeOfUser.set(u, s);
    this.jobs = h.app.bot.jobs.map((job) => ({ job, matches: cronMatcher(job.schedule) }));
  }

  async run(started: number): Promise<ArmFigures> {
    await this.importMasterData();
    await this.openStock();
    for (let day = 0; day < this.opts.days; day++) this.planDay(day);
    while (this.events.length > 0) {
      const event = this.events.shift()!;
      await this.advanceTo(event.at);
      await event.run();
      await this.answerNudges();
    }
    return {
      arm: this.arm,
      durationMs: Math.round(performance.now() - started),
      storeDays: this.storeDays,
      chainDays: this.chainDays,
      tally: { ...this.tally },
      timingMs: Object.fromEntries(Object.entries(this.timing).map(([k, v]) => [k, Math.round(v)])),
      refusals: Object.fromEntries([...this.refusals].sort((a, b) => b[1] - a[1]).slice(0, 12)),
    };
  }

  // ——— time ———

  private at(day: number, hour: number, minute = 0): number {
    return START + day * DAY + (hour * 60 + minute) * MINUTE;
  }

  private schedule(at: number, run: () => Promise<void>): void {
    const event = { at, seq: this.seq++, run };
    let i = this.events.length;
    while (i > 0 && (this.events[i - 1]!.at > at || (this.events[i - 1]!.at === at && this.events[i - 1]!.seq > event.seq))) i--;
    this.events.splice(i, 0, event);
  }

  /** Moves the clock forward, catching the scheduler up every TICK on the way. */
  private async advanceTo(at: number): Promise<void> {
    while (this.clock.now().getTime() < at) {
      const next = Math.min(at, this.clock.now().getTime() + TICK);
      this.clock.set(new Date(next));
      if (next - this.lastJobsAt >= JOB_CATCH_UP) await this.runDueJobs();
    }
    // Two events at the same minute are a second apart: WeCom's event dedupe key has the second.
    if (this.clock.now().getTime() > at) this.clock.advance(1000);
  }

  private async runDueJobs(): Promise<void> {
    const t0 = performance.now();
    const now = this.clock.now();
    const after = new Date(this.lastJobsAt);
    for (const { job, matches } of this.jobs) {
      const fire = latestFire(matches, after, now, OFFSET_MINUTES);
      if (!fire) continue;
      await this.h.app.scheduler.runJob(job, fire);
      this.tally.jobRuns++;
    }
    this.lastJobsAt = now.getTime();
    await this.h.settle();
    this.timing.jobs! += performance.now() - t0;
  }

  // ——— master data and the opening stock ———

  private async importMasterData(): Promise<void> {
    const data = masterDataCsv(this.stores, '2026-10-01');
    const db = this.h.app.db;
    for (const [kind, csv] of [
      ['stores', data.stores],
      ['staff', data.staff],
      ['skus', data.skus],
      ['menu-items', data.menuItems],
      ['recipes', data.recipes],
    ] as const) {
      const result = await importMasterData(db, kind, csv, 'csv', { now: this.clock.now() });
      if (!result.ok) throw new Error(`master data ${kind} refused: ${JSON.stringify(result)}`);
    }
  }

  private target(store: SimStore, sku: SimSku): number {
    return Math.ceil(STORE.coverDays * (this.use.get(sku.code) ?? 0) * store.trade);
  }

  /** The shelf on day one, posted by the ERP as an opening receipt (book = shelf to start with). */
  private async openStock(): Promise<void> {
    this.clock.set(new Date(this.at(0, 6)));
    const docs = this.stores.map((store) => {
      const shelf = new Map(SKUS.map((sku) => [sku.code, this.target(store, sku)]));
      this.shelf.set(store.code, shelf);
      return { id: `OPEN-${store.code}`, store: store.code, occurred_at: iso(this.at(0, 6)), lines: SKUS.map((sku) => ({ sku: sku.code, quantity: shelf.get(sku.code)! })) };
    });
    await this.post('receipts', docs, 'erp');
    this.lastJobsAt = this.clock.now().getTime();
  }

  // ——— what happens in a day ———

  private planDay(day: number): void {
    for (let hour = OPENING_HOUR; hour < OPENING_HOUR + HOUR_WEIGHTS.length; hour += SALES_HOURS) this.schedule(this.at(day, hour + SALES_HOURS - 1, 59), () => this.sell(day, hour));
    this.schedule(this.at(day, 18), () => this.postNotices(day));
    for (const store of this.stores) {
      const rng = this.root.fork(`day:${store.code}:${day}`);
      if (rng.chance(STORE.theftPerDay)) this.schedule(this.at(day, rng.int(12, 20), rng.int(0, 59)), async () => this.steal(store, rng));
      this.schedule(this.at(day, 21, 30), () => this.throwAway(store, day));
      if (this.arm === 'on') this.schedule(this.at(day, 22, 10), () => this.cycleCount(store, day));
    }
    this.schedule(this.at(day, 23, 50), () => this.measure(day));
  }

  private shelfOf(store: SimStore): Map<string, number> {
    return this.shelf.get(store.code)!;
  }

  /** SALES_HOURS of the till from `fromHour`: items sold while the shelf has their ingredients, posted as one signed document per store. */
  private async sell(day: number, fromHour: number): Promise<void> {
    const docs = [];
    for (const store of this.stores) {
      const rng = this.root.fork(`sales:${store.code}:${day}:${fromHour}`);
      const shelf = this.shelfOf(store);
      const share = HOUR_WEIGHTS.slice(fromHour - OPENING_HOUR, fromHour - OPENING_HOUR + SALES_HOURS).reduce((a, b) => a + b, 0);
      const lines = [];
      for (const item of MENU) {
        const wanted = rng.poisson(item.perDay * store.trade * share);
        let sold = 0;
        while (sold < wanted && Object.entries(item.recipe).every(([sku, q]) => shelf.get(sku)! >= q)) {
          for (const [sku, q] of Object.entries(item.recipe)) shelf.set(sku, shelf.get(sku)! - q);
          sold++;
        }
        if (sold > 0) lines.push({ item: item.code, quantity: sold, amount: sold * item.price });
      }
      if (lines.length > 0) docs.push({ id: `POS-${store.code}-${day}-${fromHour}`, store: store.code, occurred_at: iso(this.at(day, fromHour + SALES_HOURS / 2)), lines });
    }
    if (docs.length > 0) await this.post('sales', docs, 'pos');
    this.tally.salesDocuments += docs.length;
  }

  /** 18:00: the ERP's notices of tomorrow's 10:00 deliveries, topping each shelf up to its cover. */
  private async postNotices(day: number): Promise<void> {
    if (day + 1 >= this.opts.days) return;
    const docs = [];
    for (const store of this.stores) {
      const rng = this.root.fork(`delivery:${store.code}:${day + 1}`);
      const shelf = this.shelfOf(store);
      // What will be left at 10:00 tomorrow: tonight's four hours and tomorrow's first two.
      const lines = SKUS.flatMap((sku) => {
        const left = shelf.get(sku.code)! - (this.use.get(sku.code) ?? 0) * store.trade * (6 / 14);
        const packs = Math.ceil(Math.max(0, this.target(store, sku) - left) / sku.pack.size);
        if (packs === 0) return [];
        const short = rng.chance(STORE.deliveryLineShort);
        return [{ sku, noticedPacks: packs, actualPacks: short ? packs - 1 : packs }];
      });
      if (lines.length === 0) continue;
      const expectedAt = this.at(day + 1, 10);
      const delivery: Delivery = {
        id: `D-${store.code}-${day + 1}`,
        store,
        expectedAt,
        arrivesAt: rng.chance(STORE.deliveryLate) ? expectedAt + rng.int(180, 300) * MINUTE : expectedAt + rng.int(0, 20) * MINUTE,
        lines,
        arrived: false,
        bookedFromCard: false,
      };
      this.deliveries.set(delivery.id, delivery);
      docs.push({ id: delivery.id, store: store.code, expected_at: iso(expectedAt), lines: lines.map((l) => ({ sku: l.sku.code, quantity: l.noticedPacks, unit: l.sku.pack.unit })) });
      this.schedule(delivery.arrivesAt, () => this.arrive(delivery));
    }
    if (docs.length > 0) await this.post('deliveries', docs, 'erp');
    this.tally.deliveryNotices += docs.length;
  }

  /** The goods are on the shelf; when (and whether, and how) staff book them is the staff model's. */
  private async arrive(delivery: Delivery): Promise<void> {
    delivery.arrived = true;
    const shelf = this.shelfOf(delivery.store);
    for (const line of delivery.lines) shelf.set(line.sku.code, shelf.get(line.sku.code)! + line.actualPacks * line.sku.pack.size);
    const rng = this.root.fork(`receive:${delivery.id}`);
    const roll = rng.next();
    if (roll >= STAFF.receiptOnTime + STAFF.receiptLate) return; // forgotten
    let at = delivery.arrivesAt + (roll < STAFF.receiptOnTime ? rng.int(5, 30) : rng.int(120, 360)) * MINUTE;
    const dayOf = Math.floor((at - START) / DAY);
    if (at > this.at(dayOf, 21, 30)) at = this.at(dayOf + 1, 8, rng.int(30, 59));
    const booked = delivery.lines
      .map((l) => {
        const packs = l.actualPacks < l.noticedPacks && rng.chance(STAFF.receiptBooksNoticeWhenShort) ? l.noticedPacks : l.actualPacks;
        return { sku: l.sku, packs: rng.chance(STAFF.quantityTypo) ? packs + 1 : packs };
      })
      .filter((l) => l.packs > 0);
    if (booked.length === 0) return;
    const user = rng.pick(delivery.store.staff);
    const texts = booked.length > 1 && rng.chance(0.5) ? [multiReceiptText(booked)] : booked.map((l) => receiptText(rng, l.sku, l.packs));
    const twice = rng.chance(STAFF.doubleEntry);
    this.schedule(at, async () => {
      if (delivery.bookedFromCard) return;
      for (const text of texts) await this.sayExpectingBooking(user, text, 'receipt');
    });
    if (twice) this.schedule(at + rng.int(10, 60) * MINUTE, async () => this.sayExpectingBooking(user, texts[0]!, 'receipt'));
  }

  private async steal(store: SimStore, rng: Random): Promise<void> {
    const sku = rng.pick(SKUS);
    const shelf = this.shelfOf(store);
    shelf.set(sku.code, Math.max(0, shelf.get(sku.code)! - rng.int(1, 4)));
  }

  /** 21:30: spoiled goods and breakage leave the shelf; some of it is entered with 报损. */
  private async throwAway(store: SimStore, day: number): Promise<void> {
    const rng = this.root.fork(`waste:${store.code}:${day}`);
    const shelf = this.shelfOf(store);
    const thrown: { sku: SimSku; quantity: number; breakage: boolean }[] = [];
    for (const sku of SKUS.filter((s) => s.perishable)) {
      const quantity = Math.min(shelf.get(sku.code)!, rng.poisson((this.use.get(sku.code) ?? 0) * store.trade * STORE.spoilageShareOfUse));
      if (quantity > 0) thrown.push({ sku, quantity, breakage: false });
    }
    if (rng.chance(STORE.breakagePerDay)) {
      const sku = rng.pick(SKUS.filter((s) => s.category === '包材'));
      const quantity = Math.min(shelf.get(sku.code)!, rng.int(1, 5));
      if (quantity > 0) thrown.push({ sku, quantity, breakage: true });
    }
    for (const t of thrown) {
      shelf.set(t.sku.code, shelf.get(t.sku.code)! - t.quantity);
      if (!rng.chance(t.breakage ? STAFF.breakageRecorded : STAFF.wasteRecorded)) continue;
      await this.sayExpectingBooking(rng.pick(store.staff), wasteText(rng, t.sku, t.quantity, t.breakage), 'waste');
    }
  }

  /** 22:10, checks-on arm: the manager counts one category, staff enter what they see, the manager approves. */
  private async cycleCount(store: SimStore, day: number): Promise<void> {
    const rng = this.root.fork(`count:${store.code}:${day}`);
    const category = COUNT_ROTATION[(day + Number(store.code.slice(1))) % COUNT_ROTATION.length]!;
    let opened = await this.say(store.manager, `开始盘点 ${category}`);
    if (!opened.some((m) => text(m).includes('已开始盘点'))) {
      // Refused while a delivery that has arrived is unbooked: the manager books it from its card, then counts.
      for (const card of this.pendingCards(store.manager, 'stock.bookDelivery:')) await this.tap(store.manager, card, 'stock.bookDelivery:');
      opened = await this.say(store.manager, `开始盘点 ${category}`);
      if (!opened.some((m) => text(m).includes('已开始盘点'))) {
        this.tally.countsBlocked++;
        this.refused(`count: ${text(opened.at(-1))}`);
        return;
      }
    }
    const shelf = this.shelfOf(store);
    const counter = rng.pick(store.staff);
    for (const sku of SKUS.filter((s) => s.category === category)) {
      const truth = shelf.get(sku.code)!;
      const counted = rng.chance(STAFF.miscount) ? Math.max(0, truth + rng.pick([-3, -2, -1, 1, 2, 3])) : truth;
      await this.say(counter, countText(rng, sku, counted));
    }
    const closed = await this.say(store.manager, '结束盘点');
    const card = closed.find((m) => buttons(m).some((b) => b.key.startsWith('stock.approveCount:')));
    if (!card) {
      this.refused(`count close: ${text(closed.at(-1))}`);
      return;
    }
    await this.tap(store.manager, card, 'stock.approveCount:');
    this.tally.countsDone++;
  }

  // ——— what the bot asks of staff ———

  private readonly handledCards = new Set<string>();

  /** Cards to `user` with a button whose key starts with `prefix` that nobody has tapped yet. */
  private pendingCards(user: string, prefix: string): DeliveredMessage[] {
    return this.h.fake.messages.filter((m) => m.touser.split('|').includes(user) && !m.dropped && !this.handledCards.has(m.msgid) && buttons(m).some((b) => b.key.startsWith(prefix)));
  }

  /** New messages since the last look: late-delivery tasks and held-waste reviews are answered with the model's probabilities. */
  private async answerNudges(): Promise<void> {
    const fresh = this.h.fake.messages.slice(this.messageCursor);
    this.messageCursor = this.h.fake.messages.length;
    for (const message of fresh) {
      if (message.dropped || this.handledCards.has(message.msgid)) continue;
      for (const user of message.touser.split('|')) {
        const store = this.storeOfUser.get(user);
        if (!store) continue;
        const keys = buttons(message).map((b) => b.key);
        const rng = this.root.fork(`nudge:${message.msgid}:${user}`);
        const deliveryKey = keys.find((k) => k.startsWith('stock.bookDelivery:'));
        if (deliveryKey) {
          const delivery = this.deliveries.get(deliveryKey.split(':').slice(1).join(':'));
          if (!delivery || !rng.chance(delivery.arrived ? ANSWERS.tapLateDelivery : ANSWERS.tapLateDeliveryNotArrived)) continue;
          this.schedule(this.clock.now().getTime() + rng.int(5, 40) * MINUTE, async () => {
            if (this.handledCards.has(message.msgid)) return;
            delivery.bookedFromCard = true;
            await this.tap(user, message, 'stock.bookDelivery:');
          });
        } else if (keys.some((k) => k.startsWith('stock.lossConfirm:')) && rng.chance(ANSWERS.confirmHeldWaste)) {
          this.schedule(this.clock.now().getTime() + rng.int(2, 20) * MINUTE, async () => {
            if (!this.handledCards.has(message.msgid)) await this.tap(user, message, 'stock.lossConfirm:');
          });
        }
      }
    }
  }

  // ——— talking to the bot ———

  /** Sends `content` as `user` through the encrypted callback; answers what the bot sent back to them. */
  private async say(user: string, content: string): Promise<DeliveredMessage[]> {
    const t0 = performance.now();
    const before = this.h.fake.messages.length;
    const now = Math.floor(this.clock.now().getTime() / 1000);
    await this.h.deliver(textMessage(this.h.keys, user, content, { createTime: now }), { timestamp: String(now) });
    await this.h.settle();
    this.tally.chatMessages++;
    this.timing.chat! += performance.now() - t0;
    const replies = this.h.fake.messages.slice(before).filter((m) => m.touser.split('|').includes(user) && !m.dropped);
    this.clock.advance(2000);
    return replies;
  }

  /** A receipt or waste entry; one the bot did not book (asked back, refused) is tallied with its answer. */
  private async sayExpectingBooking(user: string, content: string, kind: 'receipt' | 'waste'): Promise<void> {
    const replies = await this.say(user, content);
    const booked = replies.some((m) => buttons(m).some((b) => b.key.startsWith('stock.undo:')) || buttons(m).some((b) => b.key.startsWith('stock.lossConfirm:')));
    if (booked) return;
    if (kind === 'receipt') this.tally.receiptsRefused++;
    else this.tally.wasteRefused++;
    this.refused(`${kind} 「${content}」 → ${text(replies.at(-1)).slice(0, 60)}`);
  }

  private async tap(user: string, card: DeliveredMessage, keyPrefix: string): Promise<void> {
    const t0 = performance.now();
    const button = buttons(card).find((b) => b.key.startsWith(keyPrefix));
    if (!button) throw new Error(`no button ${keyPrefix} on the card`);
    this.handledCards.add(card.msgid);
    const taskId = String(card.body.task_id);
    const createTime = Math.floor(this.clock.now().getTime() / 1000) + ++this.eventSeq;
    const extra = innerXml({ TaskId: taskId, CardType: 'button_interaction', ResponseCode: this.h.fake.issueResponseCode(taskId) }).slice(5, -6);
    await this.h.deliver(eventMessage(this.h.keys, user, 'template_card_event', button.key, extra, createTime), { timestamp: String(Math.floor(this.clock.now().getTime() / 1000)) });
    await this.h.settle();
    this.tally.taps++;
    this.timing.taps! += performance.now() - t0;
    this.clock.advance(2000);
  }

  private refused(what: string): void {
    const key = what.replace(/\d+/g, 'N');
    this.refusals.set(key, (this.refusals.get(key) ?? 0) + 1);
  }

  /** A signed sync document, as the POS or the ERP posts it. */
  private async post(document: string, docs: unknown, source: keyof typeof SECRETS): Promise<void> {
    const t0 = performance.now();
    const body = JSON.stringify(docs);
    const timestamp = String(Math.floor(this.clock.now().getTime() / 1000));
    const nonce = crypto.randomUUID();
    const path = `/api/sync/${document}`;
    const res = await fetch(`${this.h.url}${path}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-sync-source': source,
        'x-sync-timestamp': timestamp,
        'x-sync-nonce': nonce,
        'x-sync-signature': signSync(SECRETS[source], syncSigningString(timestamp, nonce, 'POST', path, body)),
      },
    });
    if (res.status !== 200) throw new Error(`sync ${document} answered ${res.status}: ${await res.text()}`);
    await this.h.settle();
    this.timing.sync! += performance.now() - t0;
  }

  // ——— the figures ———

  /** 23:50: every store×SKU's book against its shelf, the day's nudges and the month's score so far. */
  private async measure(day: number): Promise<void> {
    const t0 = performance.now();
    const db = this.h.app.db;
    const balances = await db.stockBalance.findMany({ select: { storeCode: true, skuCode: true, onHand: true } });
    const book = new Map(balances.map((b) => [`${b.storeCode}|${b.skuCode}`, b.onHand.toNumber()]));
    const dayStart = new Date(this.at(day, 0));
    const dayEnd = new Date(this.at(day + 1, 0));
    const tasks = await db.task.groupBy({ by: ['storeCode'], where: { dueAt: { gte: dayStart, lt: dayEnd } }, _count: { _all: true } });
    const nudges = new Map(tasks.map((t) => [t.storeCode, t._count._all]));
    const scores = await computeMonth(db, this.h.app.bot.scoreParts, DEFAULT_SCORE_RULES, { month: '2026-11', start: new Date(START), end: this.clock.now() });
    const score = new Map(scores.map((s) => [s.storeCode, scorePercent(s)]));
    const chain = { exact: 0, within: 0, cells: 0, shelfValue: 0, errorValue: 0, nudges: 0 };
    const scored: number[] = [];
    for (const store of this.stores) {
      const shelf = this.shelfOf(store);
      const row: StoreDay = {
        day: day + 1,
        store: store.code,
        skus: SKUS.length,
        exact: 0,
        withinTolerance: 0,
        shelfValue: 0,
        errorValue: 0,
        nudges: nudges.get(store.code) ?? 0,
        score: score.get(store.code) ?? null,
      };
      for (const sku of SKUS) {
        const truth = shelf.get(sku.code)!;
        const booked = book.get(`${store.code}|${sku.code}`) ?? 0;
        const diff = Math.abs(booked - truth);
        if (diff < 1e-9) row.exact++;
        if (booked === 0 ? truth === 0 : diff <= TOLERANCE * Math.abs(booked) + 1e-9) row.withinTolerance++;
        row.shelfValue += truth * sku.cost;
        row.errorValue += diff * sku.cost;
      }
      this.storeDays.push(row);
      chain.exact += row.exact;
      chain.within += row.withinTolerance;
      chain.cells += row.skus;
      chain.shelfValue += row.shelfValue;
      chain.errorValue += row.errorValue;
      chain.nudges += row.nudges;
      if (row.score !== null) scored.push(row.score);
    }
    this.chainDays.push({
      day: day + 1,
      date: new Date(this.at(day, 12)).toISOString().slice(0, 10),
      hitRateExact: chain.exact / chain.cells,
      hitRateWithinTolerance: chain.within / chain.cells,
      valueAccuracy: chain.shelfValue > 0 ? Math.max(0, 1 - chain.errorValue / chain.shelfValue) : 1,
      nudges: chain.nudges,
      meanScore: scored.length > 0 ? scored.reduce((a, b) => a + b, 0) / scored.length : null,
    });
    this.timing.measure! += performance.now() - t0;
    this.opts.progress?.(`${this.arm} day ${day + 1}/${this.opts.days}: hit ${(this.chainDays.at(-1)!.hitRateWithinTolerance * 100).toFixed(1)}%`);
  }
}

function normalise(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

function iso(ms: number): string {
  return new Date(ms + OFFSET_MINUTES * MINUTE).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

function buttons(m: DeliveredMessage): { text: string; key: string }[] {
  const list = m.body.button_list;
  return Array.isArray(list) ? (list as { text: string; key: string }[]) : [];
}

function text(m: DeliveredMessage | undefined): string {
  if (!m) return '(no answer)';
  const body = m.body as { content?: unknown; main_title?: { title?: string }; sub_title_text?: string };
  return visibleText(body.content ?? [body.main_title?.title, body.sub_title_text].filter(Boolean).join(' '));
}

/** A database of the arm's own: PGlite in memory from the migrated template, or a throw-away PostgreSQL database. */
async function openSimDatabase(url: string | undefined): Promise<Database> {
  if (!url) {
    await globalSetup();
    return openDatabase({ kind: 'pglite', dataDir: null }, { pgliteTemplate: new Blob([fs.readFileSync(pgliteTemplatePath())]) });
  }
  const name = `mendian_sim_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: target.toString() });
  await database.migrate();
  return {
    ...database,
    close: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
