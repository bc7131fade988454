import os from 'node:os';
import { BotRegistry, SCORE_PART_NAMES, type ScorePartName, type ScorePartSource } from '../../src/bot/registry';
import { loadConfig } from '../../src/config';
import { openDatabase, type Db, type DbTx } from '../../src/db';
import { questionsOf } from '../../src/features/handover/checklist';
import { currentTemplate } from '../../src/features/handover/templates';
import type { ScoreResult } from '../../src/features/score/compute';
import { computeMonth, saveScores } from '../../src/features/score/repository';
import { monthPeriod, previousMonth, type MonthPeriod } from '../../src/features/score/period';
import { Prisma } from '../../src/generated/prisma/client';
import { DEFAULT_SCORE_RULES } from '../../src/features/score/rules';
import { FEATURES } from '../../src/features';
import { throwAwayPostgres } from './postgres';

/**
 * Monthly health scores for BENCH_STORES stores (500) with a year of data, on PGlite (in
 * memory) and on PostgreSQL (a throw-away database) side by side.
 *
 *   npm run bench:score
 *   BENCH_STORES=500 BENCH_DATABASE_URL=postgresql://… npm run bench:score
 *
 * Sizes per store (defaults): BENCH_TASKS_PER_DAY (4), BENCH_COUNT_SKUS (200, the catalogue each
 * monthly count covers), BENCH_SHIFTS_PER_DAY (2), BENCH_MEMBERS_PER_STORE (2,000; at most 99,999).
 *
 * What it covers: the score parts the features in FEATURES register — only those, each measured
 * by its real source over data that a generator below writes in bulk for every store and day of
 * the year (the generator knows the owning feature's tables). A registered part without a
 * generator, and a part no feature registers yet, are reported as not covered. What is timed is
 * what the monthly job does per month: every part measured for every store, the stores scored
 * and the results stored (computeMonth + saveScores), twelve times; seeding is not timed.
 * Every covered part must measure every store every month, or the bench fails: a generator that
 * wrote nothing the part reads would otherwise pass as a fast part.
 */

const STORES = positiveInt('BENCH_STORES', 500);
const TASKS_PER_DAY = positiveInt('BENCH_TASKS_PER_DAY', 4);
/** The chain's catalogue, every SKU counted once a month in every store. */
const COUNT_SKUS = positiveInt('BENCH_COUNT_SKUS', 200);
const SHIFTS_PER_DAY = positiveInt('BENCH_SHIFTS_PER_DAY', 2);
const MEMBERS_PER_STORE = positiveInt('BENCH_MEMBERS_PER_STORE', 2000);
/** Staff per store besides the manager; shifts rotate through them. */
const STAFF_PER_STORE = 6;
const TIMEZONE = 'Asia/Shanghai';
/** The year measured: the twelve months before this one. */
const LAST_MONTH = '2026-10';
/** The SKUs the default handover checklist counts: part of the catalogue, so the template imports. */
const KEY_MATERIALS = ['MILK', 'CREAM', 'CHEESE'];

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/**
 * A deterministic pseudo-random integer in [0, n) from an integer key: two rounds of an LCG
 * (bigint arithmetic stays below 2^63), salted so that several picks from one key differ.
 */
const pick = (key: Prisma.Sql, n: number, salt: number) =>
  Prisma.sql`(((((((${key})::bigint % 2147483648) * 1103515245 + ${Prisma.raw(String(salt))}) % 2147483648) * 1103515245 + 12345) % 2147483648 * ${Prisma.raw(String(n))} / 2147483648)::int)`;
/** A store's number, from its code (`S0042` → 42). */
const storeNo = (code: Prisma.Sql) => Prisma.sql`substr(${code}, 2)::int`;

interface Year {
  from: Date;
  to: Date;
  days: number;
  months: MonthPeriod[];
}

interface Generator {
  /** What the generated year holds, for the report. */
  describe: string;
  /** Rows written, by table. */
  seed(db: Db, year: Year): Promise<Record<string, number>>;
}

/**
 * Bulk seeding in one transaction without JIT, memoizing and foreign-key triggers: PostgreSQL's planner
 * prices these million-row statements high enough to JIT-compile them (seconds to minutes of
 * LLVM for statements that run once), and the generators write consistent rows, so checking each
 * reference row by row only doubles the time; every LATERAL row below is different, so caching
 * them is pure overhead. None of the settings outlives the transaction, so the
 * measured month runs with the server's defaults.
 */
function bulk<T>(db: Db, work: (tx: DbTx) => Promise<T>): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET LOCAL jit = off`;
      await tx.$executeRaw`SET LOCAL session_replication_role = replica`;
      await tx.$executeRaw`SET LOCAL enable_memoize = off`;
      return work(tx);
    },
    { timeout: 3_600_000, maxWait: 60_000 },
  );
}

/*
 * A year of data per part, written set-based (generate_series) into the owning feature's tables.
 * Deterministic: the same rows on both databases. Stores differ from one another (a store's
 * number picks how careful it is), so the chain medians and the points spread as in a real chain.
 * The derived values sit in LATERAL subqueries fenced with OFFSET 0: without the fence the planner
 * inlines a subquery into every place that uses its columns, and the nested picks would be
 * computed dozens of times a row.
 */
const GENERATORS: Partial<Record<ScorePartName, Generator>> = {
  inventoryAccuracy: {
    describe: `one full count per store and month (stock_count, approved) of the ${COUNT_SKUS}-SKU catalogue (stock_count_entry): most SKUs match the book, some ±1, a few 3–10% short, about 1% lost 20–40%; careless stores more`,
    seed: (db, year) =>
      bulk(db, async (tx) => {
        const months = JSON.stringify(year.months.map((m, index) => ({ index, month: m.month, ends: m.end.toISOString() })));
        // Counted on the evening of the month's last day, approved by the manager the next morning.
        const counts = await tx.$executeRaw`
          INSERT INTO stock_count (store_code, category, status, opened_by, opened_at, closed_by, closed_at, approved_by, approved_at, external_id)
          SELECT s.code, NULL, 'approved', s.code || '-01', m.ends - interval '3 hours', s.code || '-01', m.ends - interval '90 minutes',
                 s.code || '-M', m.ends + interval '9 hours', 'bench:' || s.code || ':' || m.index
          FROM store s CROSS JOIN jsonb_to_recordset(${months}::jsonb) AS m(index int, month text, ends timestamptz)`;
        // book: the SKU's usual level in the store; counted: the book and a variance whose odds depend on the store.
        const entries = await tx.$executeRaw`
          INSERT INTO stock_count_entry (count_id, sku_code, counted, book, counted_by, counted_at, source, external_id)
          SELECT c.id, k.code, v.book + CASE
                   WHEN v.r < 850 - c.careless * 60 THEN 0
                   WHEN v.r < 950 - c.careless * 40 THEN CASE WHEN v.r % 2 = 0 THEN 1 ELSE -1 END
                   WHEN v.r < 990 - c.careless * 10 THEN -greatest(1, round(v.book * (3 + v.r % 8) / 100.0))
                   ELSE -round(v.book * (20 + v.r % 21) / 100.0) END,
                 v.book, c.store_code || '-0' || (1 + k.n % 2), c.opened_at + (k.n * 60 / ${COUNT_SKUS}::int) * interval '1 minute',
                 CASE WHEN k.n % 3 = 0 THEN 'scan' ELSE 'chat' END, 'count:' || c.id || ':' || k.code
          FROM (SELECT id, store_code, opened_at, ${storeNo(Prisma.sql`store_code`)} AS store, split_part(external_id, ':', 3)::int AS month,
                       ${pick(storeNo(Prisma.sql`store_code`), 5, 3)} AS careless
                FROM stock_count WHERE external_id LIKE 'bench:%' OFFSET 0) AS c
          CROSS JOIN (SELECT code, row_number() OVER (ORDER BY code)::int AS n FROM sku) AS k
          CROSS JOIN LATERAL (SELECT 10 + ${pick(Prisma.sql`c.store * 10000 + k.n`, 190, 1)} AS book,
                                     ${pick(Prisma.sql`(c.store * 12 + c.month) * 10000 + k.n`, 1000, 2)} AS r OFFSET 0) AS v`;
        return { stock_count: counts, stock_count_entry: entries };
      }),
  },
  handoverCompleteness: {
    describe: `${SHIFTS_PER_DAY} shifts per store and day (shift), a handover at the end of each (handover, the default checklist's items in handover_item): 2–7% of shifts without one, 1–2% cancelled or never confirmed, 1–4% of the items of complete ones skipped`,
    async seed(db, year) {
      // The chain's default checklist, imported as the first handover of a chain without one does.
      const { scope, version, template } = await currentTemplate(db, 'S0001', year.from);
      const skus = await db.sku.findMany({ where: { code: { in: KEY_MATERIALS } }, select: { code: true, name: true } });
      const answers: Record<string, unknown> = { yes_no: { yes: true }, number: { number: 500 }, sku_count: { number: 12, book: 12 }, text: { text: '无' }, photo: null };
      const questions = JSON.stringify(
        questionsOf(template, new Map(skus.map((s) => [s.code, s.name]))).map((q, i) => ({ position: i + 1, item_key: q.itemKey, kind: q.kind, label: q.label, answer: answers[q.kind] })),
      );
      const minutes = Math.floor((16 * 60) / SHIFTS_PER_DAY);
      return bulk(db, async (tx) => {
        // From 07:00 local the day is cut into SHIFTS_PER_DAY shifts, each overlapping the next by 30 minutes.
        const shifts = await tx.$executeRaw`
          INSERT INTO shift (store_code, userid, starts_at, ends_at, updated_at)
          SELECT s.code, s.code || '-0' || (1 + (d * ${SHIFTS_PER_DAY}::int + k) % ${STAFF_PER_STORE}::int), t.starts_at, t.starts_at + ${minutes + 30}::int * interval '1 minute', now()
          FROM store s
          CROSS JOIN generate_series(0, ${year.days - 1}::int) AS d
          CROSS JOIN generate_series(0, ${SHIFTS_PER_DAY - 1}::int) AS k
          CROSS JOIN LATERAL (SELECT ${year.from}::timestamptz + d * interval '1 day' + (420 + k * ${minutes}::int) * interval '1 minute' AS starts_at OFFSET 0) AS t`;
        // Keyed by store and half hour of the year; the outgoing colleague starts it 50 minutes before the shift ends.
        const handovers = await tx.$executeRaw`
          INSERT INTO handover (store_code, outgoing_userid, incoming_userid, template_scope, template_version, state, start_inbound_id, started_at, submitted_at, completed_at)
          SELECT h.store_code, h.userid, h.store_code || '-0' || (1 + right(h.userid, 1)::int % ${STAFF_PER_STORE}::int), ${scope}, ${version},
                 h.state, 'bench:' || h.key, h.started_at,
                 CASE WHEN h.state <> 'cancelled' THEN h.started_at + interval '8 minutes' END,
                 CASE WHEN h.state = 'complete' THEN h.started_at + interval '15 minutes' END
          FROM (
            SELECT sh.store_code, sh.userid, sh.ends_at - interval '50 minutes' AS started_at, key.key,
                   CASE WHEN r.r < 2 + r.careless THEN NULL WHEN r.r < 3 + r.careless THEN 'cancelled'
                        WHEN r.r < 4 + r.careless / 2 THEN 'awaiting_incoming' ELSE 'complete' END AS state
            FROM shift sh
            CROSS JOIN LATERAL (SELECT ${storeNo(Prisma.sql`sh.store_code`)}::bigint * 20000 + (extract(epoch FROM sh.starts_at - ${year.from}::timestamptz) / 1800)::int AS key,
                                       ${storeNo(Prisma.sql`sh.store_code`)} AS store OFFSET 0) AS key
            CROSS JOIN LATERAL (SELECT ${pick(Prisma.sql`key.key`, 100, 4)} AS r, ${pick(Prisma.sql`key.store`, 6, 5)} AS careless OFFSET 0) AS r
            OFFSET 0
          ) AS h
          WHERE h.state IS NOT NULL`;
        // Items of a complete handover are answered (a few flagged) or skipped; a cancelled one stopped after five.
        const items = await tx.$executeRaw`
          INSERT INTO handover_item (handover_id, position, item_key, kind, label, status, answer, answered_at, confirmation, confirmed_at)
          SELECT h.id, q.position, q.item_key, q.kind, q.label, st.status,
                 CASE WHEN st.answered THEN q.answer END,
                 CASE WHEN st.answered THEN h.started_at + q.position * interval '30 seconds' END,
                 CASE WHEN h.state = 'complete' AND st.answered THEN 'confirmed' END,
                 CASE WHEN h.state = 'complete' AND st.answered THEN h.completed_at END
          FROM (SELECT id, state, started_at, completed_at, split_part(start_inbound_id, ':', 2)::bigint AS key,
                       ${pick(storeNo(Prisma.sql`store_code`), 4, 7)} AS careless
                FROM handover WHERE start_inbound_id LIKE 'bench:%' OFFSET 0) AS h
          CROSS JOIN jsonb_to_recordset(${questions}::jsonb) AS q(position int, item_key text, kind text, label text, answer jsonb)
          CROSS JOIN LATERAL (SELECT ${pick(Prisma.sql`h.key * 32 + q.position`, 1000, 6)} AS r OFFSET 0) AS r
          CROSS JOIN LATERAL (SELECT s.status, s.status IN ('ok', 'flagged') AS answered FROM (SELECT CASE
                   WHEN h.state = 'cancelled' AND q.position > 5 THEN 'pending'
                   WHEN r.r < (10 + h.careless * 10) * CASE WHEN q.kind = 'text' THEN 2 ELSE 1 END THEN 'skipped'
                   WHEN r.r < 60 + h.careless * 10 THEN 'flagged'
                   ELSE 'ok' END AS status) AS s OFFSET 0) AS st`;
        return { shift: shifts, handover: handovers, handover_item: items };
      });
    },
  },
  memberActivity: {
    describe: `${MEMBERS_PER_STORE} members per store (member; a fifth joined during the year) and their orders (member_order): 3% weekly, 7% fortnightly, 15% monthly, 25% quarterly, half once a year or less, 15% stop during the year; a store's own mix shifted by up to 8 points`,
    seed: (db, year) =>
      bulk(db, async (tx) => {
        const members = await tx.$executeRaw`
          INSERT INTO member (code, name, home_store, created_at, updated_at)
          SELECT s.code || '-' || lpad(i::text, 5, '0'), '会员' || i, s.code, j.joined, j.joined
          FROM store s
          CROSS JOIN generate_series(1, ${MEMBERS_PER_STORE}::int) AS i
          CROSS JOIN LATERAL (SELECT ${storeNo(Prisma.sql`s.code`)}::bigint * 100000 + i AS key OFFSET 0) AS key
          CROSS JOIN LATERAL (SELECT ${year.from}::timestamptz + CASE WHEN ${pick(Prisma.sql`key.key`, 100, 8)} < 20
                                       THEN ${pick(Prisma.sql`key.key`, year.days, 9)} ELSE -30 - ${pick(Prisma.sql`key.key`, 700, 10)} END * interval '1 day'
                                       + ${pick(Prisma.sql`key.key`, 720, 11)} * interval '1 minute' + interval '10 hours' AS joined OFFSET 0) AS j`;
        // A member visits every `every` days from a phase after joining until they stop; visits wander ±2 days.
        const orders = await tx.$executeRaw`
          INSERT INTO member_order (order_id, member_code, store_code, ordered_at, amount, discount, lines, received_at)
          SELECT 'O' || p.code || '-' || v.day, p.code,
                 CASE WHEN o.away < 92 THEN p.home_store ELSE 'S' || lpad((p.store % ${STORES}::int + 1)::text, 4, '0') END,
                 o.at, o.amount, 0,
                 jsonb_build_array(jsonb_build_object('sku', 'SKU' || lpad((1 + o.sku)::text, 4, '0'), 'quantity', 1, 'amount', o.amount)),
                 o.at + interval '5 minutes'
          FROM (
            SELECT m.code, m.home_store, key.store, key.key, c.every,
                   greatest(0, floor(extract(epoch FROM m.created_at - ${year.from}::timestamptz) / 86400)::int) + ${pick(Prisma.sql`key.key`, 365, 15)} % c.every AS first,
                   CASE WHEN ${pick(Prisma.sql`key.key`, 100, 16)} < 15 THEN ${pick(Prisma.sql`key.key`, year.days, 17)} ELSE ${year.days}::int END AS stop
            FROM member m
            CROSS JOIN LATERAL (SELECT ${storeNo(Prisma.sql`m.home_store`)} AS store, ${storeNo(Prisma.sql`m.home_store`)}::bigint * 100000 + right(m.code, 5)::int AS key OFFSET 0) AS key
            CROSS JOIN LATERAL (SELECT CASE WHEN k.class < 3 THEN 7 WHEN k.class < 10 THEN 14 WHEN k.class < 25 THEN 30 WHEN k.class < 50 THEN 90 ELSE 365 END AS every
                                FROM (SELECT ${pick(Prisma.sql`key.key`, 100, 14)} + ${pick(Prisma.sql`key.store`, 17, 18)} - 8 AS class) AS k OFFSET 0) AS c
            WHERE m.home_store IS NOT NULL
            OFFSET 0
          ) AS p
          CROSS JOIN LATERAL generate_series(p.first, p.stop - 1, p.every) AS g(visit)
          CROSS JOIN LATERAL (SELECT least(${year.days - 1}::int, greatest(0, g.visit + CASE WHEN p.every >= 14 THEN ${pick(Prisma.sql`p.key * 512 + g.visit`, 5, 19)} - 2 ELSE 0 END)) AS day OFFSET 0) AS v
          -- One pick a visit, cut into its time of day, amount, whether at another store and the SKU bought.
          CROSS JOIN LATERAL (SELECT ${pick(Prisma.sql`p.key * 512 + v.day`, 1_000_000_000, 20)} AS r OFFSET 0) AS vr
          CROSS JOIN LATERAL (SELECT ${year.from}::timestamptz + v.day * interval '1 day' + (480 + vr.r % 780) * interval '1 minute' AS at,
                                     18 + vr.r / 780 % 60 AS amount, vr.r / 46800 % 100 AS away, vr.r / 4680000 % ${COUNT_SKUS}::int AS sku OFFSET 0) AS o
          -- In time order, as orders arrive: a month's orders then sit together in the table, as they would.
          ORDER BY o.at`;
        return { member: members, member_order: orders };
      }),
  },
  taskTimeliness: {
    describe: `${TASKS_PER_DAY} tasks per store and day (task): 7 in 10 acted on before due, 2 late by 30–90 min, 1 expired`,
    seed: (db, year) =>
      bulk(db, async (tx) => {
        const tasks = await tx.$executeRaw`
          INSERT INTO task (kind, source_ref, store_code, title, due_at, state, acknowledged_at, closed_at, created_at)
          SELECT 'bench.' || (k % 3), 'bench:' || s.code || ':' || d || ':' || k, s.code, '任务 ' || k, t.due,
                 CASE WHEN t.r = 9 THEN 'expired' ELSE 'done' END,
                 CASE WHEN t.r < 7 THEN t.due - interval '10 minutes' WHEN t.r < 9 THEN t.due + (30 + t.r * 7) * interval '1 minute' END,
                 CASE WHEN t.r < 7 THEN t.due + interval '10 minutes' WHEN t.r < 9 THEN t.due + interval '2 hours' ELSE t.due + interval '48 hours' END,
                 t.due - interval '1 day'
          FROM store s
          CROSS JOIN generate_series(0, ${year.days - 1}::int) AS d
          CROSS JOIN generate_series(0, ${TASKS_PER_DAY - 1}::int) AS k
          CROSS JOIN LATERAL (SELECT ${year.from}::timestamptz + d * interval '1 day' + (1 + k * 3) * interval '1 hour' AS due,
                                     (d * 7 + k * 3 + substr(s.code, 2)::int) % 10 AS r OFFSET 0) AS t`;
        return { task: tasks };
      }),
  },
};

const months = (() => {
  const list = [LAST_MONTH];
  while (list.length < 12) list.unshift(previousMonth(list[0]));
  return list;
})();

/** The chain: stores in 20 areas, a manager and STAFF_PER_STORE colleagues each, the SKU catalogue. */
async function seedChain(db: Db): Promise<void> {
  await db.$executeRaw`INSERT INTO store (code, name, area, updated_at)
    SELECT 'S' || lpad(i::text, 4, '0'), '门店 ' || i, '区域 ' || (i % 20), now() FROM generate_series(1, ${STORES}::int) AS i`;
  await db.$executeRaw`INSERT INTO staff (userid, name, store_code, role, updated_at)
    SELECT s.code || CASE WHEN i = 0 THEN '-M' ELSE '-0' || i END, CASE WHEN i = 0 THEN '店长 ' ELSE '店员 ' || i || ' ' END || s.code, s.code,
           CASE WHEN i = 0 THEN 'store_manager' ELSE 'staff' END, now()
    FROM store s CROSS JOIN generate_series(0, ${STAFF_PER_STORE}::int) AS i`;
  const materials = JSON.stringify([
    { code: 'MILK', name: '牛奶', unit: '盒' },
    { code: 'CREAM', name: '淡奶油', unit: '盒' },
    { code: 'CHEESE', name: '奶酪', unit: '袋' },
  ]);
  await db.$executeRaw`INSERT INTO sku (code, name, aliases, category, base_unit, pack_units, cost_price, updated_at)
    SELECT code, name, '{}', '乳制品', unit, '[]', 12.5, now() FROM jsonb_to_recordset(${materials}::jsonb) AS m(code text, name text, unit text)`;
  await db.$executeRaw`INSERT INTO sku (code, name, aliases, category, base_unit, pack_units, cost_price, updated_at)
    SELECT 'SKU' || lpad(i::text, 4, '0'), '商品 ' || i, '{}', (ARRAY['饮品原料', '烘焙原料', '包材', '水果', '冷冻', '日杂'])[1 + i % 6],
           (ARRAY['个', '袋', '盒', '瓶'])[1 + i % 4], '[]', 1 + (i * 37 % 200) / 4.0, now()
    FROM generate_series(1, ${Math.max(COUNT_SKUS - KEY_MATERIALS.length, 0)}::int) AS i`;
}

interface Run {
  name: string;
  seeded: Partial<Record<ScorePartName, { rows: Record<string, number>; ms: number }>>;
  monthMs: number[];
  partMs: Partial<Record<ScorePartName, number>>;
  scored: number;
  /** The last month's points: per covered part and in total, lowest / median / highest over the stores. */
  spread: string;
}

const msSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

async function run(name: string, db: Db): Promise<Run> {
  const bot = new BotRegistry(loadConfig({ LOG_LEVEL: 'silent' }));
  for (const feature of FEATURES) feature.register(bot);
  await seedChain(db);
  const periods = months.map((month) => monthPeriod(month, TIMEZONE));
  const year: Year = { from: periods[0].start, to: periods.at(-1)!.end, days: Math.round((periods.at(-1)!.end.getTime() - periods[0].start.getTime()) / 86_400_000), months: periods };
  const covered = [...bot.scoreParts.keys()].filter((part) => GENERATORS[part]);
  const seeded: Run['seeded'] = {};
  for (const part of covered) {
    const started = process.hrtime.bigint();
    const rows = await GENERATORS[part]!.seed(db, year);
    seeded[part] = { rows, ms: msSince(started) };
    console.log(
      `  ${name}: seeded ${part} in ${(seeded[part].ms / 1000).toFixed(1)} s (${Object.entries(rows)
        .map(([table, n]) => `${table} ${n.toLocaleString('en')}`)
        .join(', ')})`,
    );
  }
  // Each source timed inside computeMonth: the per-part figures add up to most of the month.
  const partMs: Run['partMs'] = {};
  const sources = new Map<ScorePartName, ScorePartSource>(
    covered.map((part) => {
      const source = bot.scoreParts.get(part)!;
      const timed: ScorePartSource = async (...args) => {
        const started = process.hrtime.bigint();
        try {
          return await source(...args);
        } finally {
          partMs[part] = (partMs[part] ?? 0) + msSince(started);
        }
      };
      return [part, timed];
    }),
  );
  const monthMs: number[] = [];
  let scored = 0;
  let last: ScoreResult[] = [];
  for (const period of periods) {
    const started = process.hrtime.bigint();
    const results = await computeMonth(db, sources, DEFAULT_SCORE_RULES, period);
    await saveScores(db, results, new Date());
    monthMs.push(msSince(started));
    for (const part of covered) {
      const unmeasured = results.filter((r) => r.parts.find((p) => p.name === part)?.points == null);
      if (unmeasured.length)
        throw new Error(
          `${name}: ${part} measured no value for ${unmeasured.length} of ${results.length} stores in ${period.month} (first: ${unmeasured[0].storeCode}) — its generator wrote no data the part reads`,
        );
    }
    scored += results.filter((r) => r.points !== null).length;
    last = results;
  }
  const range = (points: number[]) => {
    const sorted = [...points].sort((a, b) => a - b);
    return `${sorted[0]} / ${sorted[Math.floor(sorted.length / 2)]} / ${sorted.at(-1)}`;
  };
  const spread = [...covered.map((part) => `${part} ${range(last.map((r) => r.parts.find((p) => p.name === part)!.points!))}`), `total ${range(last.map((r) => r.points ?? 0))}`].join(', ');
  return { name, seeded, monthMs, partMs, scored, spread };
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  const registered = new BotRegistry(loadConfig({ LOG_LEVEL: 'silent' }));
  for (const feature of FEATURES) feature.register(registered);
  console.log(
    `${STORES} stores, months ${months[0]} to ${LAST_MONTH} (${TIMEZONE}). ${cpus.length} × ${cpus[0]?.model}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  for (const part of SCORE_PART_NAMES) {
    const generator = GENERATORS[part];
    const state = !registered.scoreParts.has(part)
      ? 'not covered: no feature registers it yet'
      : !generator
        ? 'not covered: registered, but the bench has no data generator for it'
        : `covered — ${generator.describe}`;
    console.log(`  ${part}: ${state}`);
  }
  const runs: Run[] = [];
  const pglite = await openDatabase({ kind: 'pglite', dataDir: null });
  try {
    await pglite.migrate();
    runs.push(await run('PGlite', pglite.prisma));
  } finally {
    await pglite.close();
  }
  const postgres = await throwAwayPostgres();
  if (postgres) {
    const database = await openDatabase({ kind: 'postgres', url: postgres.url });
    try {
      await database.migrate();
      runs.push(await run('PostgreSQL', database.prisma));
    } finally {
      await database.close();
      await postgres.drop();
    }
  }
  console.log('');
  const parts = SCORE_PART_NAMES.filter((part) => runs.some((r) => r.partMs[part] !== undefined));
  const header = ['database', 'seeding s', 'stores scored', 'total ms (12 months)', 'per month ms', 'slowest month ms', ...parts.map((p) => `${p} ms`)];
  const lines = runs.map((r) => [
    r.name,
    (Object.values(r.seeded).reduce((sum, s) => sum + s.ms, 0) / 1000).toFixed(0),
    String(r.scored),
    r.monthMs.reduce((a, b) => a + b, 0).toFixed(0),
    (r.monthMs.reduce((a, b) => a + b, 0) / r.monthMs.length).toFixed(0),
    Math.max(...r.monthMs).toFixed(0),
    ...parts.map((p) => r.partMs[p]?.toFixed(0) ?? '—'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const line of [header, ...lines]) console.log(line.map((cell, i) => cell.padStart(widths[i])).join('  '));
  console.log("(part columns: time inside each part's source over the 12 months; the rest of a month is listing the stores, scoring and storing the results)");
  for (const r of runs) console.log(`${r.name}, points in ${LAST_MONTH} (lowest / median / highest store): ${r.spread}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
