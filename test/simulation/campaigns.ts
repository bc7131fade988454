import fs from 'node:fs';
import crypto from 'node:crypto';
import pg from 'pg';
import { membersFeature } from '../../src/features/members';
import { openDatabase, type Database } from '../../src/db';
import { TestClock } from '../helpers/clock';
import { pgliteTemplatePath } from '../helpers/database';
import globalSetup from '../helpers/global-setup';
import { startHarness, type Harness } from '../helpers/harness';
import { MEMBER_ENV, postSigned } from '../features/members/helpers';
import { baselineVisitChance, couponVisitChance, DEFAULT_MEMBER_MODEL, generateMembers, order, Random, visitTime, type MemberModel, type SimMember, type SimOrder } from './campaign-members';

/**
 * Campaign coverage: does the bot's 95% interval for the uplift contain the effect we injected?
 *
 * Per seed, a fresh chain goes through the real bot: members and their order history in through
 * the signed sync API, the nightly job profiles and tags them, a win-back campaign (sync document
 * `campaigns`) targets 潜在流失 with its md5 holdout, the campaign job creates one coupon message
 * per treated member in the fake WeCom, the owner staff confirm some of them there (the bot reads
 * the confirmations back), the members' window orders go in through the sync API — redemptions
 * carry the coupon codes read from the messages the fake WeCom received — and the sync document
 * `campaign-results` gives the estimate and its interval. The metric is the repeat-purchase rate
 * (share of members with an order in their window), treated − holdout, intention to treat.
 *
 * The truth per seed is known exactly: a treated member who can be reached gets the coupon with
 * the owner's confirmation probability, and a member who got it visits with probability p₀ +
 * effect; so the intention-to-treat effect is the mean over the segment's reachable members of
 * confirm · min(effect, 1 − p₀). The bot's interval should cover it in 95% of seeds.
 */

export interface CampaignCoverageOptions {
  seeds: number;
  firstSeed?: number;
  /** Members per seed (about half of them fall into the 潜在流失 segment). */
  members?: number;
  /** Added to a receiving member's chance of visiting in the coupon window (repeat-purchase rate). */
  injectedEffect?: number;
  /** Share of the segment kept as holdout. */
  holdoutShare?: number;
  /** Overrides of the behaviour model (`reachShare: 1` makes every member a WeCom contact). */
  model?: Partial<MemberModel>;
  /** PostgreSQL server to run on (a database per seed is created and dropped); unset: in-memory PGlite. */
  databaseUrl?: string;
  log?: (line: string) => void;
}

export interface SeedOutcome {
  seed: number;
  /** The intention-to-treat effect this seed's members carry (what the interval should contain). */
  trueEffect: number;
  estimate: number;
  low: number;
  high: number;
  standardError: number;
  covered: boolean;
  segment: number;
  treated: number;
  holdout: number;
  /** Members of the segment without a WeCom contact: in the holdout when the hash puts them there, never treated. */
  unreachable: number;
  delivered: number;
  redeemed: number;
  treatedRate: number;
  holdoutRate: number;
  /** What the holdout's rate would have been over only its reachable members (the bias the caps cause, seen directly). */
  holdoutReachableRate: number;
}

export interface CampaignCoverage {
  seeds: number;
  firstSeed: number;
  membersPerSeed: number;
  metric: 'repeatRate';
  /** The effect on a member who received the coupon. */
  injectedEffect: number;
  /** Mean over seeds of the intention-to-treat effect (injected effect × confirmation, less the few members near certainty). */
  meanTrueEffect: number;
  holdoutShare: number;
  model: MemberModel;
  /** Share of seeds whose 95% interval contains that seed's true effect (target 93–97%). */
  coverage: number;
  covered: number;
  meanEstimate: number;
  meanStandardError: number;
  /** Mean of estimate − true effect, and its standard error over seeds (sd / √seeds). */
  bias: number;
  biasStandardError: number;
  /** Standard deviation of estimate − true effect across seeds: what the mean standard error should match. */
  spreadOfErrors: number;
  durationSeconds: number;
  perSeed: SeedOutcome[];
}

const START = new Date('2026-11-02T02:00:00Z'); // a Monday, 10:00 in Shanghai
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const COUPON = { kind: 'amount' as const, value: 5, minSpend: 20, validDays: 7 };
const STORES = [
  { code: 'S01', name: '一店', area: '华东区', staff: ['s01a', 's01b'] },
  { code: 'S02', name: '二店', area: '华东区', staff: ['s02a', 's02b'] },
  { code: 'S03', name: '三店', area: '华南区', staff: ['s03a', 's03b'] },
];

export async function runCampaignCoverage(opts: CampaignCoverageOptions): Promise<CampaignCoverage> {
  const began = performance.now();
  const firstSeed = opts.firstSeed ?? 1;
  const members = opts.members ?? 600;
  const injectedEffect = opts.injectedEffect ?? 0.1;
  const holdoutShare = opts.holdoutShare ?? 0.5;
  const model = { ...DEFAULT_MEMBER_MODEL, ...opts.model };
  const log = opts.log ?? (() => undefined);
  if (!opts.databaseUrl) await globalSetup();
  const database = await openSimulationDatabase(opts.databaseUrl);
  const perSeed: SeedOutcome[] = [];
  try {
    for (let seed = firstSeed; seed < firstSeed + opts.seeds; seed++) {
      const outcome = await simulateSeed({ seed, members, injectedEffect, holdoutShare, model }, database);
      perSeed.push(outcome);
      log(
        `seed ${seed}: estimate ${outcome.estimate.toFixed(4)} [${outcome.low.toFixed(4)}, ${outcome.high.toFixed(4)}] truth ${outcome.trueEffect.toFixed(4)} ${outcome.covered ? 'covered' : 'MISSED'} (treated ${outcome.treated}, holdout ${outcome.holdout})`,
      );
    }
  } finally {
    await database.close();
  }
  const errors = perSeed.map((s) => s.estimate - s.trueEffect);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const bias = mean(errors);
  const spread = Math.sqrt(errors.reduce((s, e) => s + (e - bias) ** 2, 0) / Math.max(1, errors.length - 1));
  const covered = perSeed.filter((s) => s.covered).length;
  return {
    seeds: opts.seeds,
    firstSeed,
    membersPerSeed: members,
    metric: 'repeatRate',
    injectedEffect,
    meanTrueEffect: mean(perSeed.map((s) => s.trueEffect)),
    holdoutShare,
    model,
    coverage: covered / perSeed.length,
    covered,
    meanEstimate: mean(perSeed.map((s) => s.estimate)),
    meanStandardError: mean(perSeed.map((s) => s.standardError)),
    bias,
    biasStandardError: spread / Math.sqrt(perSeed.length),
    spreadOfErrors: spread,
    durationSeconds: (performance.now() - began) / 1000,
    perSeed,
  };
}

interface SeedOptions {
  seed: number;
  members: number;
  injectedEffect: number;
  holdoutShare: number;
  model: MemberModel;
}

/**
 * One chain, one campaign, start to report, on `database` emptied first (every table, sequences
 * restarted: as good as a fresh one, and 2 s cheaper than opening PGlite again), with a bot and
 * a fake WeCom of its own — so a seed's figures never depend on the seeds before it.
 */
export async function simulateSeed(o: SeedOptions, database: Database): Promise<SeedOutcome> {
  const random = new Random(o.seed);
  const clock = new TestClock(START.getTime());
  await emptyDatabase(database);
  const h = await startHarness({ features: [membersFeature], clock, database, env: MEMBER_ENV });
  try {
    return await drive(h, clock, random, o);
  } finally {
    await h.stop();
  }
}

async function emptyDatabase(database: Database): Promise<void> {
  const tables = await database.prisma.$queryRaw<{ name: string }[]>`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`;
  await database.prisma.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => t.name).join(', ')} RESTART IDENTITY CASCADE`);
}

async function drive(h: Harness, clock: TestClock, random: Random, o: SeedOptions): Promise<SeedOutcome> {
  const runJob = async (name: string) => {
    await h.app.scheduler.runJob(
      h.app.bot.jobs.find((j) => j.name === name)!,
      clock.now(),
    );
    await h.settle();
  };
  const post = async (document: string, payload: unknown) => {
    const res = await postSigned(h.url, clock, document, payload);
    const body = await res.json();
    if (res.status !== 200) throw new Error(`sync ${document} refused (${res.status}): ${JSON.stringify(body).slice(0, 500)}`);
    return body;
  };

  // Master data as the chain's HR system would have it.
  await h.app.db.store.createMany({ data: STORES.map(({ code, name, area }) => ({ code, name, area })) });
  await h.app.db.staff.createMany({ data: STORES.flatMap((s) => s.staff.map((userid, i) => ({ userid, name: `${s.name}店员${i + 1}`, storeCode: s.code, role: 'staff' }))) });

  const { members, history } = generateMembers(random, { seed: o.seed, count: o.members, stores: STORES, start: START, model: o.model });
  for (const m of members) if (m.externalUserid) h.fake.addExternalContact({ external_userid: m.externalUserid, name: m.name, follow_userid: m.owner! });
  for (const chunk of chunks(members, 2000)) {
    await post(
      'members',
      chunk.map((m) => ({ code: m.code, name: m.name, home_store: m.homeStore, ...(m.externalUserid ? { external_userid: m.externalUserid, owner: m.owner } : {}) })),
    );
  }
  for (const chunk of chunks(history, 10_000)) await post('orders', chunk);

  // The night before: profiles and tags (潜在流失: 14 days without an order).
  await runJob('members.recomputeProfiles');
  const segmentCodes = new Set((await h.app.db.memberTag.findMany({ where: { tag: '潜在流失' }, select: { memberCode: true } })).map((t) => t.memberCode));
  const segment = members.filter((m) => segmentCodes.has(m.code));

  const campaignId = `sim-${o.seed}`;
  await post('campaigns', [{ id: campaignId, name: '老客召回', segment: { tags: ['潜在流失'] }, coupon: COUPON, schedule: { once: START.toISOString() }, holdoutShare: o.holdoutShare }]);
  // The campaign job builds the audience and creates the messages, 500 a run.
  await runJob('members.runCampaigns');
  while ((await h.app.db.campaignMember.count({ where: { campaignId, status: 'queued' } })) > 0) {
    clock.advance(60_000);
    await runJob('members.runCampaigns');
  }

  // What the members got, as WeCom has it: the coupon code in each member's message.
  const couponOf = new Map<string, { code: string; msgid: string }>();
  const byExternal = new Map(members.filter((m) => m.externalUserid).map((m) => [m.externalUserid!, m]));
  for (const call of h.fake.callsTo('externalcontact/add_msg_template')) {
    const body = call.body as { external_userid: string[]; text: { content: string } };
    const code = /券码 (\S+?)，/.exec(body.text.content)?.[1];
    const msgid = (call.answer as { msgid?: string }).msgid;
    if (!code || !msgid) throw new Error(`no coupon code or msgid in ${JSON.stringify(call)}`);
    couponOf.set(byExternal.get(body.external_userid[0])!.code, { code, msgid });
  }

  // Owners confirm (or never do); members visit; receivers may visit because of the coupon.
  const windowEnd = START.getTime() + COUPON.validDays * DAY;
  const confirmations: { at: number; msgid: string }[] = [];
  const windowOrders: SimOrder[] = [];
  const receivedAt = new Map<string, number>();
  for (const m of segment) {
    const coupon = couponOf.get(m.code);
    if (coupon && random.chance(o.model.confirmShare)) {
      const at = START.getTime() + random.exponential(o.model.confirmDelayHoursMean) * HOUR;
      if (at < windowEnd - HOUR) {
        confirmations.push({ at, msgid: coupon.msgid });
        receivedAt.set(m.code, at);
      }
    }
    windowOrders.push(...windowVisits(random, m, o, coupon?.code, receivedAt.get(m.code), windowEnd));
  }
  confirmations.sort((a, b) => a.at - b.at);
  windowOrders.sort((a, b) => a.ordered_at.localeCompare(b.ordered_at));

  // Day by day at noon: the owners' confirmations as they happened, the POS's orders since the
  // last noon, and a run of the campaign job, which reads the confirmations back (the job runs
  // every minute in production; a run a day keeps 200 seeds within minutes, and the read-back
  // it would do in between changes no figure of the results). The last noon is after the
  // window: unconfirmed messages are given up and stopped.
  let nextConfirmation = 0;
  let nextOrder = 0;
  for (let t = START.getTime() + 2 * HOUR; t <= windowEnd + 2 * HOUR; t += DAY) {
    for (; nextConfirmation < confirmations.length && confirmations[nextConfirmation].at <= t; nextConfirmation++) {
      clock.set(new Date(Math.max(confirmations[nextConfirmation].at, clock.now().getTime())));
      h.fake.confirmGroupMsg(confirmations[nextConfirmation].msgid);
    }
    clock.set(new Date(t));
    const due: SimOrder[] = [];
    for (; nextOrder < windowOrders.length && Date.parse(windowOrders[nextOrder].ordered_at) <= t; nextOrder++) due.push(windowOrders[nextOrder]);
    if (due.length) await post('orders', due);
    await runJob('members.runCampaigns');
  }
  await runJob('members.pushReports');

  const results = (await post('campaign-results', { campaign: campaignId })) as CampaignResultsBody;
  const rows = await h.app.db.campaignMember.findMany({ where: { campaignId }, select: { memberCode: true, arm: true } });
  const arm = new Map(rows.map((r) => [r.memberCode, r.arm]));
  const buyers = new Set(windowOrders.map((x) => x.member));
  const reachableHoldout = segment.filter((m) => arm.get(m.code) === 'holdout' && m.externalUserid);

  const confirmWithinWindow = o.model.confirmShare * (1 - Math.exp(-(COUPON.validDays * 24 - 1) / o.model.confirmDelayHoursMean));
  const reachable = segment.filter((m) => m.externalUserid);
  const trueEffect = reachable.reduce((s, m) => s + confirmWithinWindow * Math.min(o.injectedEffect, 1 - baselineVisitChance(m, COUPON.validDays)), 0) / Math.max(1, reachable.length);
  const { difference, low, high } = results.uplift.repeatRate;
  return {
    seed: o.seed,
    trueEffect,
    estimate: difference,
    low,
    high,
    standardError: (high - low) / (2 * 1.959964),
    covered: low <= trueEffect && trueEffect <= high,
    segment: segment.length,
    treated: results.treated.members,
    holdout: results.holdout.members,
    unreachable: segment.length - reachable.length,
    delivered: results.delivered,
    redeemed: results.redeemed,
    treatedRate: results.treated.repeatRate,
    holdoutRate: results.holdout.repeatRate,
    holdoutReachableRate: reachableHoldout.length ? reachableHoldout.filter((m) => buyers.has(m.code)).length / reachableHoldout.length : 0,
  };
}

interface CampaignResultsBody {
  delivered: number;
  redeemed: number;
  treated: { members: number; repeatRate: number };
  holdout: { members: number; repeatRate: number };
  uplift: { repeatRate: { difference: number; low: number; high: number } };
}

/**
 * A segment member's orders in the coupon window: ordinary visits (Poisson at their rate), the
 * coupon used on those after it arrived with `couponUseOnVisit`; and, for a receiver who made no
 * ordinary visit, a coupon visit with the probability that lifts their chance by the injected effect.
 */
function windowVisits(random: Random, m: SimMember, o: SeedOptions, couponCode: string | undefined, receivedAt: number | undefined, windowEnd: number): SimOrder[] {
  const coupon = couponCode ? { code: couponCode, value: COUPON.value, minSpend: COUPON.minSpend } : undefined;
  const visits = random.poisson(m.rate * COUPON.validDays);
  const times = Array.from({ length: visits }, () => visitTime(random, START, random.int(COUPON.validDays)).getTime()).sort((a, b) => a - b);
  const orders: SimOrder[] = [];
  let used = false;
  for (const [i, t] of times.entries()) {
    const useIt = coupon && receivedAt !== undefined && t >= receivedAt && !used && random.chance(o.model.couponUseOnVisit);
    const placed = order(random, m, `W${i}`, new Date(t), useIt ? coupon : undefined);
    used ||= Boolean(placed.coupon_code);
    orders.push(placed);
  }
  if (receivedAt !== undefined && visits === 0 && random.chance(couponVisitChance(baselineVisitChance(m, COUPON.validDays), o.injectedEffect))) {
    const at = receivedAt + random.uniform() * (windowEnd - receivedAt - 60_000);
    orders.push(order(random, m, 'C', new Date(at), coupon));
  }
  return orders;
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** In-memory PGlite from the migrated template the tests use, or a throw-away database on the PostgreSQL server. */
async function openSimulationDatabase(databaseUrl?: string): Promise<Database> {
  if (!databaseUrl) return openDatabase({ kind: 'pglite', dataDir: null }, { pgliteTemplate: new Blob([fs.readFileSync(pgliteTemplatePath())]) });
  const name = `mendian_sim_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString() });
  await database.migrate();
  return {
    ...database,
    close: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: databaseUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
