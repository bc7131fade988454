import os from 'node:os';
import { BotRegistry, SCORE_PART_NAMES, type ScorePartName } from '../../src/bot/registry';
import { loadConfig } from '../../src/config';
import { openDatabase, type Db } from '../../src/db';
import { computeMonth, saveScores } from '../../src/features/score/repository';
import { monthPeriod, previousMonth } from '../../src/features/score/period';
import { DEFAULT_SCORE_RULES } from '../../src/features/score/rules';
import { FEATURES } from '../../src/main';
import { throwAwayPostgres } from './postgres';

/**
 * Monthly health scores for BENCH_STORES stores (500) with a year of data, on PGlite (in
 * memory) and on PostgreSQL (a throw-away database) side by side.
 *
 *   npm run bench:score
 *   BENCH_STORES=500 BENCH_DATABASE_URL=postgresql://… npm run bench:score
 *
 * What it covers: the score parts the features in FEATURES register — only those, each measured
 * by its real source over data that a generator below writes in bulk for every store and day of
 * the year (the generator knows the owning feature's tables). A registered part without a
 * generator, and a part no feature registers yet, are reported as not covered. What is timed is
 * what the monthly job does per month: every part measured for every store, the stores scored
 * and the 500 results stored (computeMonth + saveScores), twelve times; seeding is not timed.
 */

const STORES = positiveInt('BENCH_STORES', 500);
const TASKS_PER_DAY = positiveInt('BENCH_TASKS_PER_DAY', 4);
const TIMEZONE = 'Asia/Shanghai';
/** The year measured: the twelve months before this one. */
const LAST_MONTH = '2026-10';

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

interface Generator {
  /** What the generated year holds, for the report. */
  describe: string;
  seed(db: Db, from: Date, to: Date): Promise<number>;
}

/**
 * A year of data per part, written set-based (generate_series) into the owning feature's tables.
 * Deterministic: the same rows on both databases.
 */
const GENERATORS: Partial<Record<ScorePartName, Generator>> = {
  taskTimeliness: {
    describe: `${TASKS_PER_DAY} tasks per store and day (task table): 7 in 10 acted on before due, 2 late by 30–90 min, 1 expired`,
    async seed(db, from, to) {
      const days = Math.round((to.getTime() - from.getTime()) / 86_400_000);
      return db.$executeRaw`
        INSERT INTO task (kind, source_ref, store_code, title, due_at, state, acknowledged_at, closed_at, created_at)
        SELECT 'bench.' || (k % 3), 'bench:' || s.code || ':' || d || ':' || k, s.code, '任务 ' || k, t.due,
               CASE WHEN t.r = 9 THEN 'expired' ELSE 'done' END,
               CASE WHEN t.r < 7 THEN t.due - interval '10 minutes' WHEN t.r < 9 THEN t.due + (30 + t.r * 7) * interval '1 minute' END,
               CASE WHEN t.r < 7 THEN t.due + interval '10 minutes' WHEN t.r < 9 THEN t.due + interval '2 hours' ELSE t.due + interval '48 hours' END,
               t.due - interval '1 day'
        FROM store s
        CROSS JOIN generate_series(0, ${days - 1}::int) AS d
        CROSS JOIN generate_series(0, ${TASKS_PER_DAY - 1}::int) AS k
        CROSS JOIN LATERAL (SELECT ${from}::timestamptz + d * interval '1 day' + (1 + k * 3) * interval '1 hour' AS due,
                                   (d * 7 + k * 3 + substr(s.code, 2)::int) % 10 AS r) AS t`;
    },
  },
};

const months = (() => {
  const list = [LAST_MONTH];
  while (list.length < 12) list.unshift(previousMonth(list[0]));
  return list;
})();

async function seedStores(db: Db): Promise<void> {
  await db.$executeRaw`INSERT INTO store (code, name, area, updated_at)
    SELECT 'S' || lpad(i::text, 4, '0'), '门店 ' || i, '区域 ' || (i % 20), now() FROM generate_series(1, ${STORES}::int) AS i`;
}

interface Run {
  name: string;
  seededRows: Record<string, number>;
  monthMs: number[];
  scored: number;
}

async function run(name: string, db: Db): Promise<Run> {
  const bot = new BotRegistry(loadConfig({ LOG_LEVEL: 'silent' }));
  for (const feature of FEATURES) feature(bot);
  await seedStores(db);
  const from = monthPeriod(months[0], TIMEZONE).start;
  const to = monthPeriod(LAST_MONTH, TIMEZONE).end;
  const seededRows: Record<string, number> = {};
  for (const [part, generator] of Object.entries(GENERATORS) as [ScorePartName, Generator][]) {
    if (bot.scoreParts.has(part)) seededRows[part] = await generator.seed(db, from, to);
  }
  const sources = new Map([...bot.scoreParts].filter(([part]) => GENERATORS[part]));
  const monthMs: number[] = [];
  let scored = 0;
  for (const month of months) {
    const started = process.hrtime.bigint();
    const results = await computeMonth(db, sources, DEFAULT_SCORE_RULES, monthPeriod(month, TIMEZONE));
    await saveScores(db, results, new Date());
    monthMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    scored += results.filter((r) => r.points !== null).length;
  }
  return { name, seededRows, monthMs, scored };
}


async function main(): Promise<void> {
  const cpus = os.cpus();
  const registered = new BotRegistry(loadConfig({ LOG_LEVEL: 'silent' }));
  for (const feature of FEATURES) feature(registered);
  console.log(`${STORES} stores, months ${months[0]} to ${LAST_MONTH} (${TIMEZONE}). ${cpus.length} × ${cpus[0]?.model}`);
  for (const part of SCORE_PART_NAMES) {
    const generator = GENERATORS[part];
    const state = !registered.scoreParts.has(part) ? 'not covered: no feature registers it yet' : !generator ? 'not covered: registered, but the bench has no data generator for it' : `covered — ${generator.describe}`;
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
  const header = ['database', 'rows seeded', 'stores scored', 'total ms (12 months)', 'per month ms', 'slowest month ms'];
  const lines = runs.map((r) => [
    r.name,
    Object.entries(r.seededRows).map(([part, rows]) => `${part} ${rows}`).join(', ') || '—',
    String(r.scored),
    r.monthMs.reduce((a, b) => a + b, 0).toFixed(0),
    (r.monthMs.reduce((a, b) => a + b, 0) / r.monthMs.length).toFixed(0),
    Math.max(...r.monthMs).toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const line of [header, ...lines]) console.log(line.map((cell, i) => cell.padStart(widths[i])).join('  '));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
