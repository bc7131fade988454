import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../src/db';
import pg from 'pg';
import { describeTarget, type DatabaseTarget } from '../../src/db/target';
import { countAccuracy, DEFAULT_COUNT_TOLERANCE, uncountedWithStock, varianceLines } from '../../src/features/stock/counts';
import { loadConfig } from '../../src/config';
import { bookMove, bookMoves } from '../../src/features/stock/booking';
import { onHand, type NewMove } from '../../src/features/stock/ledger';
import { throwAwayPostgres } from './postgres';
import { syncMoves } from '../../src/features/stock/sync';
import { explodeSoldItems, type SoldItem } from '../../src/features/stock/recipes/sales';
import { loadRecipeBook } from '../../src/features/stock/recipes/recipe-book';
import { createLogger } from '../../src/log';

/**
 * The stock ledger at chain scale, on PGlite and PostgreSQL side by side:
 *  - a raw-SQL baseline: the same documents written as a plain multi-row INSERT into stock_move
 *    plus one aggregated balance upsert (INSERT … ON CONFLICT … DO UPDATE) each — no checks, no
 *    rules — BENCH_WRITERS in flight, on the same Prisma client, and on PostgreSQL once more straight
 *    through node-postgres (the floor without the ORM); the tables are emptied after each;
 *  - bulk booking: BENCH_MOVES moves across BENCH_STORES stores × BENCH_SKUS SKUs, as synced
 *    documents of BENCH_BATCH lines (bookMoves, every check and after-move rule applied),
 *    BENCH_WRITERS documents in flight, and its ratio to the baseline;
 *  - chat booking: BENCH_CHAT_MOVES single moves (bookMove, one transaction each, as a chat
 *    message books), BENCH_WRITERS at once;
 *  - on-hand query latency (p50/p99 over 2,000 random store × SKU lookups);
 *  - the count-variance report of a store whose every SKU was counted (what 结束盘点 computes);
 *  - POS documents of menu items with modifiers (BENCH_POS_LINES item lines of BENCH_MENU_ITEMS
 *    items, each with a recipe of BENCH_RECIPE_LINES ingredients among the SKUs, in documents of
 *    BENCH_POS_BATCH lines) through the sales document's handler — checked, exploded by recipe,
 *    kept as sold and booked — against a raw-SQL insert of the same ingredient moves and balances;
 *    run first, on empty tables, which are emptied again after each.
 *
 *   npm run bench:stock
 *   BENCH_MOVES=100000 BENCH_TARGETS=postgres BENCH_DATABASE_URL=postgresql://… npm run bench:stock
 */
const STORES = positiveInt('BENCH_STORES', 200);
const SKUS = positiveInt('BENCH_SKUS', 2_000);
const MOVES = positiveInt('BENCH_MOVES', 1_000_000);
const BATCH = positiveInt('BENCH_BATCH', 500);
const WRITERS = positiveInt('BENCH_WRITERS', 4);
const CHAT_MOVES = positiveInt('BENCH_CHAT_MOVES', 2_000);
const QUERIES = 2_000;
const MENU_ITEMS = positiveInt('BENCH_MENU_ITEMS', 150);
const RECIPE_LINES = positiveInt('BENCH_RECIPE_LINES', 8);
const POS_LINES = positiveInt('BENCH_POS_LINES', 40_000);
const POS_BATCH = positiveInt('BENCH_POS_BATCH', 100);
const MODIFIERS = ['大杯', '少冰', '少糖', '加料'];
const config = loadConfig({});
const TARGETS = (process.env.BENCH_TARGETS ?? 'pglite,postgres').split(',').map((t) => t.trim());

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** A small seeded generator: every run books the same moves. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const storeCode = (i: number) => `S${String(i).padStart(4, '0')}`;
const skuCode = (i: number) => `K${String(i).padStart(5, '0')}`;

interface Result {
  target: string;
  rawMovesPerSecond: number;
  driverMovesPerSecond: number | null;
  bulkMovesPerSecond: number;
  chatMovesPerSecond: number;
  onHandP50: number;
  onHandP99: number;
  varianceMs: number;
  moves: number;
  posRawMovesPerSecond: number;
  posMovesPerSecond: number;
  posMoves: number;
}

async function open(kind: string): Promise<{ database: Database; where: string; url?: string; drop: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-stock-'));
    const target: DatabaseTarget = { kind: 'pglite', dataDir: process.env.BENCH_PGLITE_MEMORY ? null : dir };
    const database = await openDatabase(target);
    return { database, where: describeTarget(target), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const postgres = await throwAwayPostgres();
  if (!postgres) throw new Error('bench:stock needs the PostgreSQL server (BENCH_DATABASE_URL)');
  const target: DatabaseTarget = { kind: 'postgres', url: postgres.url };
  const database = await openDatabase(target);
  return { database, where: describeTarget(target), url: postgres.url, drop: postgres.drop };
}

async function bench(kind: string): Promise<Result> {
  const { database, where, url, drop } = await open(kind);
  const db = database.prisma;
  try {
    await database.migrate();
    console.log(`${kind}: ${where}; seeding ${STORES} stores × ${SKUS} SKUs`);
    await db.store.createMany({ data: Array.from({ length: STORES }, (_, i) => ({ code: storeCode(i), name: `门店 ${i}` })) });
    for (let from = 0; from < SKUS; from += 1_000) {
      await db.sku.createMany({
        data: Array.from({ length: Math.min(1_000, SKUS - from) }, (_, j) => ({
          code: skuCode(from + j),
          name: `商品 ${from + j}`,
          category: `类别 ${(from + j) % 20}`,
          baseUnit: '个',
          packUnits: [],
          costPrice: 1 + ((from + j) % 50),
        })),
      });
    }
    // Sales may go below zero (the till has sold it); bulk loads are booked as the sync API books them.
    const skuRules = new Map(Array.from({ length: SKUS }, (_, i) => [skuCode(i), { baseUnit: '个', allowNegative: true }]));

    const now = new Date();
    const pos = await benchPos(db, now);
    const documents = Math.ceil(MOVES / BATCH);
    /** The documents in order, the same every run: BATCH lines for one store each, receipts and sales mixed. */
    const documentSource = () => {
      const rand = random(42);
      return (d: number): NewMove[] => {
        const store = storeCode(Math.floor(rand() * STORES));
        const size = Math.min(BATCH, MOVES - d * BATCH);
        return Array.from({ length: size }, (_, j) => {
          const sale = rand() < 0.6;
          return {
            storeCode: store,
            skuCode: skuCode(Math.floor(rand() * SKUS)),
            kind: sale ? 'sale' : 'receipt',
            quantity: sale ? -1 - Math.floor(rand() * 3) : 5 + Math.floor(rand() * 20),
            occurredAt: now,
            recordedAt: now,
            source: sale ? 'pos' : 'erp',
            externalId: `bench:${d}:${j}`,
          };
        });
      };
    };
    /** Books every document with `book`, WRITERS in flight; moves per second. */
    const run = async (label: string, book: (moves: NewMove[]) => Promise<unknown>) => {
      const documentAt = documentSource();
      let next = 0;
      let booked = 0;
      const started = performance.now();
      let lastReport = started;
      const worker = async () => {
        for (let d = next++; d < documents; d = next++) {
          const moves = documentAt(d);
          await book(moves);
          booked += moves.length;
          if (performance.now() - lastReport > 30_000) {
            lastReport = performance.now();
            console.log(`${kind} ${label}: ${booked.toLocaleString()} moves, ${Math.round(booked / ((lastReport - started) / 1000))} moves/s so far`);
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, worker));
      return MOVES / ((performance.now() - started) / 1000);
    };

    const rawMovesPerSecond = await run('raw SQL', (moves) =>
      db.$transaction(
        async (tx) => {
          for (const statement of rawStatements(moves, now)) await tx.$executeRawUnsafe(statement.sql, ...statement.values);
        },
        { timeout: 120_000, maxWait: 60_000 },
      ),
    );
    await db.$executeRawUnsafe('TRUNCATE stock_move, stock_balance RESTART IDENTITY CASCADE');
    // PostgreSQL also without the ORM: the same statements straight through node-postgres, the floor a client can reach.
    let driverMovesPerSecond: number | null = null;
    if (url) {
      const pool = new pg.Pool({ connectionString: url, max: WRITERS });
      try {
        driverMovesPerSecond = await run('raw SQL, node-postgres', async (moves) => {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            for (const statement of rawStatements(moves, now)) await client.query(statement.sql, statement.values);
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        });
      } finally {
        await pool.end();
      }
      await db.$executeRawUnsafe('TRUNCATE stock_move, stock_balance RESTART IDENTITY CASCADE');
    }
    const bulkMovesPerSecond = await run('bookMoves', (moves) => db.$transaction((tx) => bookMoves(tx, config, moves, skuRules, now), { timeout: 120_000, maxWait: 60_000 }));
    const rand = random(7);

    // Chat: one move per transaction, the way a message books it.
    let chatNext = 0;
    const chatStarted = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        for (let i = chatNext++; i < CHAT_MOVES; i = chatNext++) {
          const move: NewMove = {
            storeCode: storeCode(i % STORES),
            skuCode: skuCode((i * 7) % SKUS),
            kind: 'receipt',
            quantity: 1,
            occurredAt: now,
            recordedAt: now,
            source: 'chat',
            externalId: `chat:${i}`,
          };
          await db.$transaction((tx) => bookMove(tx, config, move, { baseUnit: '个', allowNegative: false }), { maxWait: 60_000 });
        }
      }),
    );
    const chatSeconds = (performance.now() - chatStarted) / 1000;

    const latencies: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const t = performance.now();
      await onHand(db, storeCode(Math.floor(rand() * STORES)), skuCode(Math.floor(rand() * SKUS)));
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);

    // A count of every SKU of one store, counted against its book with small differences.
    const store = storeCode(0);
    const count = await db.stockCount.create({ data: { storeCode: store, status: 'open', openedBy: 'bench', openedAt: now, externalId: 'bench-count' } });
    const balances = new Map((await db.stockBalance.findMany({ where: { storeCode: store } })).map((b) => [b.skuCode, b.onHand.toNumber()]));
    const entries = Array.from({ length: SKUS }, (_, i) => {
      const book = balances.get(skuCode(i)) ?? 0;
      return {
        countId: count.id,
        skuCode: skuCode(i),
        counted: Math.max(0, book + (rand() < 0.1 ? Math.floor(rand() * 5) - 2 : 0)),
        book,
        countedBy: 'bench',
        countedAt: now,
        source: 'scan',
        externalId: `bench-count:${i}`,
      };
    });
    for (let from = 0; from < entries.length; from += 1_000) await db.stockCountEntry.createMany({ data: entries.slice(from, from + 1_000) });
    const reportTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const lines = await varianceLines(db, [count.id]);
      countAccuracy(lines, DEFAULT_COUNT_TOLERANCE);
      await uncountedWithStock(db, count);
      reportTimes.push(performance.now() - t);
    }
    reportTimes.sort((a, b) => a - b);
    return {
      target: kind,
      rawMovesPerSecond,
      driverMovesPerSecond,
      bulkMovesPerSecond,
      chatMovesPerSecond: CHAT_MOVES / chatSeconds,
      onHandP50: latencies[Math.floor(latencies.length * 0.5)],
      onHandP99: latencies[Math.floor(latencies.length * 0.99)],
      varianceMs: reportTimes[Math.floor(reportTimes.length / 2)],
      moves: await db.stockMove.count(),
      posRawMovesPerSecond: pos.rawMovesPerSecond,
      posMovesPerSecond: pos.movesPerSecond,
      posMoves: pos.moves,
    };
  } finally {
    await database.close();
    await drop();
  }
}

/**
 * POS documents of menu items: recipes seeded for MENU_ITEMS items (RECIPE_LINES base lines among
 * the SKUs; 大杯 scales every line, 少冰 and 少糖 one each, 加料 adds one), then the same documents
 * twice — as the raw-SQL baseline of their exploded ingredient moves (worked out before the clock
 * starts), and through the sales document's handler as the sync API calls it, WRITERS in flight.
 */
async function benchPos(db: Database['prisma'], now: Date): Promise<{ rawMovesPerSecond: number; movesPerSecond: number; moves: number }> {
  const rand = random(99);
  const itemCode = (i: number) => `M${String(i).padStart(4, '0')}`;
  await db.menuItem.createMany({ data: Array.from({ length: MENU_ITEMS }, (_, i) => ({ code: itemCode(i), name: `菜品 ${i}`, price: 10 + (i % 20) })) });
  for (let i = 0; i < MENU_ITEMS; i++) {
    const skus = [...new Set(Array.from({ length: RECIPE_LINES + 1 }, () => skuCode(Math.floor(rand() * SKUS))))];
    const [extra, ...base] = skus;
    await db.recipe.create({
      data: {
        kind: 'menu',
        product: itemCode(i),
        scope: '*',
        validFrom: new Date(now.getTime() - 86_400_000),
        yieldQuantity: 1,
        createdAt: now,
        lines: {
          create: [
            ...base.map((skuCode) => ({ skuCode, quantity: 0.01 + Math.round(rand() * 100) / 1000 })),
            { modifier: '大杯', skuCode: '*', factor: 1.4 },
            { modifier: '少冰', skuCode: base[0], factor: 0.5 },
            { modifier: '少糖', skuCode: base[1] ?? base[0], factor: 0.7 },
            { modifier: '加料', skuCode: extra, quantity: 0.05 },
          ],
        },
      },
    });
  }
  const documents = Math.ceil(POS_LINES / POS_BATCH);
  const docs = Array.from({ length: documents }, (_, d) => ({
    id: `bench-pos-${d}`,
    store: storeCode(Math.floor(rand() * STORES)),
    occurred_at: now.toISOString(),
    lines: Array.from({ length: Math.min(POS_BATCH, POS_LINES - d * POS_BATCH) }, () => ({
      item: itemCode(Math.floor(rand() * MENU_ITEMS)),
      modifiers: MODIFIERS.filter(() => rand() < 0.3),
      quantity: 1 + Math.floor(rand() * 3),
    })),
  }));
  // The baseline's rows: the same explosion the handler does, before the clock starts.
  const book = await loadRecipeBook(
    db,
    'menu',
    Array.from({ length: MENU_ITEMS }, (_, i) => itemCode(i)),
    [],
  );
  const exploded = docs.map((doc) => {
    const items: SoldItem[] = doc.lines.map((l, j) => ({ line: j + 1, itemCode: l.item, modifiers: l.modifiers, quantity: l.quantity }));
    return explodeSoldItems({ source: 'pos', documentId: doc.id, storeCode: doc.store, occurredAt: now, recordedAt: now }, items, book).moves;
  });
  const moves = exploded.reduce((n, m) => n + m.length, 0);
  const inFlight = async (work: (d: number) => Promise<unknown>) => {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        for (let d = next++; d < documents; d = next++) await work(d);
      }),
    );
    return moves / ((performance.now() - started) / 1000);
  };
  const rawMovesPerSecond = await inFlight((d) =>
    db.$transaction(
      async (tx) => {
        for (const statement of rawStatements(exploded[d], now)) await tx.$executeRawUnsafe(statement.sql, ...statement.values);
      },
      { timeout: 120_000, maxWait: 60_000 },
    ),
  );
  await db.$executeRawUnsafe('TRUNCATE stock_move, stock_balance RESTART IDENTITY CASCADE');
  const post = syncMoves('sales');
  const log = createLogger('silent');
  const movesPerSecond = await inFlight(async (d) => {
    const outcome = await post({ db, body: JSON.stringify([docs[d]]), source: 'pos', clock: { now: () => now }, config, log });
    if (!outcome.accepted) throw new Error(`bench POS document refused: ${JSON.stringify(outcome.problems.slice(0, 3))}`);
  });
  const booked = await db.stockMove.count();
  if (booked !== moves) throw new Error(`POS documents booked ${booked} moves, expected ${moves}`);
  await db.$executeRawUnsafe('TRUNCATE stock_move, stock_balance, stock_sale_line, stock_sync_document RESTART IDENTITY CASCADE');
  return { rawMovesPerSecond, movesPerSecond, moves };
}

/**
 * The baseline: the document's rows in one plain multi-row INSERT, and its balances in one
 * aggregated upsert (in (store, SKU) order, as bookMoves locks them) — what the database must do
 * at least, with no duplicate check, no stock check and no after-move rule.
 */
function rawStatements(moves: NewMove[], now: Date): { sql: string; values: unknown[] }[] {
  const values: unknown[] = [];
  const rows = moves.map((m) => {
    values.push(m.storeCode, m.skuCode, m.kind, String(m.quantity), m.occurredAt.toISOString(), m.recordedAt.toISOString(), m.source, m.externalId ?? null);
    const at = values.length - 8;
    return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}::numeric, $${at + 5}::timestamptz, $${at + 6}::timestamptz, $${at + 7}, $${at + 8})`;
  });
  const deltas = new Map<string, { storeCode: string; skuCode: string; delta: number }>();
  for (const m of moves) {
    const key = `${m.storeCode}\u0000${m.skuCode}`;
    const entry = deltas.get(key) ?? { storeCode: m.storeCode, skuCode: m.skuCode, delta: 0 };
    entry.delta += m.quantity;
    deltas.set(key, entry);
  }
  const sorted = [...deltas.values()].sort((a, b) => (a.storeCode === b.storeCode ? (a.skuCode < b.skuCode ? -1 : 1) : a.storeCode < b.storeCode ? -1 : 1));
  const balanceValues: unknown[] = [];
  const balanceRows = sorted.map((d) => {
    balanceValues.push(d.storeCode, d.skuCode, String(d.delta), now.toISOString());
    const at = balanceValues.length - 4;
    return `($${at + 1}, $${at + 2}, $${at + 3}::numeric, $${at + 4}::timestamptz)`;
  });
  return [
    { sql: `INSERT INTO stock_move (store_code, sku_code, kind, quantity, occurred_at, recorded_at, source, external_id) VALUES ${rows.join(', ')}`, values },
    {
      sql: `INSERT INTO stock_balance (store_code, sku_code, on_hand, updated_at) VALUES ${balanceRows.join(', ')}
        ON CONFLICT (store_code, sku_code) DO UPDATE SET on_hand = stock_balance.on_hand + EXCLUDED.on_hand, updated_at = EXCLUDED.updated_at`,
      values: balanceValues,
    },
  ];
}

async function main() {
  console.log(`bench:stock — ${MOVES.toLocaleString()} moves, ${STORES} stores × ${SKUS} SKUs, documents of ${BATCH} lines, ${WRITERS} writers; ${CHAT_MOVES} chat moves; ${os.cpus().length} cores`);
  const results: Result[] = [];
  for (const target of TARGETS) results.push(await bench(target));
  console.log('');
  console.log(
    '| database | raw SQL moves/s, same client | raw SQL moves/s, node-postgres | bookMoves moves/s (documents) | ratio to raw SQL | chat moves/s (one per transaction) | on-hand p50 / p99 | count variance, all SKUs of a store | moves in ledger |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const rate = (n: number) => Math.round(n).toLocaleString();
  const ratio = (n: number) => `${n.toFixed(2)}×`;
  for (const r of results) {
    const ratios = [
      `${ratio(r.bulkMovesPerSecond / r.rawMovesPerSecond)} same client`,
      ...(r.driverMovesPerSecond ? [`${ratio(r.bulkMovesPerSecond / r.driverMovesPerSecond)} node-postgres`] : []),
    ].join(', ');
    console.log(
      `| ${r.target} | ${rate(r.rawMovesPerSecond)} | ${r.driverMovesPerSecond ? rate(r.driverMovesPerSecond) : '—'} | ${rate(r.bulkMovesPerSecond)} | ${ratios} | ${rate(r.chatMovesPerSecond)} | ${r.onHandP50.toFixed(2)} / ${r.onHandP99.toFixed(2)} ms | ${Math.round(r.varianceMs)} ms (${SKUS} SKUs) | ${r.moves.toLocaleString()} |`,
    );
  }
  console.log('');
  console.log(
    `POS documents of menu items: ${POS_LINES.toLocaleString()} item lines of ${MENU_ITEMS} items (${RECIPE_LINES} ingredients each, modifiers), ${POS_BATCH} lines a document, ${WRITERS} in flight`,
  );
  console.log('| database | ingredient moves | raw SQL moves/s (the same rows) | sales document moves/s (checked, exploded, kept as sold, booked) | ratio to raw SQL |');
  console.log('|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.target} | ${r.posMoves.toLocaleString()} | ${rate(r.posRawMovesPerSecond)} | ${rate(r.posMovesPerSecond)} | ${ratio(r.posMovesPerSecond / r.posRawMovesPerSecond)} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
