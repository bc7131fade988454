import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db';
import { databaseTarget, describeTarget } from '../../src/db/target';
import { buildCampaign, campaignDefinition, defineCampaigns, localCalendar } from '../../src/features/members/campaigns';
import { importFile, type FileImportProgress } from '../../src/features/members/import';
import { recomputeMembers } from '../../src/features/members/jobs';
import { createLogger } from '../../src/log';
import { BENCH_ADMIN_URL, throwAwayPostgres } from './postgres';
import { seeded } from '../../src/features/members/demo';

/**
 * Members at chain scale: import members and orders from CSV (the admin CLI's importer), recompute
 * every profile and tag, and build one big campaign — time and peak memory per step, on PGlite and
 * PostgreSQL side by side. Each database runs in a forked process of its own, so its memory peak
 * is its own; on PostgreSQL the figure is this process only (the server's memory is not counted).
 *
 *   npm run bench:members                                            # 1,000,000 members, 10,000,000 orders, 100,000 in the campaign
 *   BENCH_MEMBERS=20000 BENCH_ORDERS=200000 BENCH_CAMPAIGN=2000 npm run bench:members   # a quick run
 *   BENCH_DATABASES=postgres BENCH_DATABASE_URL=postgresql://… npm run bench:members
 */

const MEMBERS = positiveInt('BENCH_MEMBERS', 1_000_000);
const ORDERS = positiveInt('BENCH_ORDERS', 10_000_000);
const CAMPAIGN = positiveInt('BENCH_CAMPAIGN', 100_000);
const STORES = 50;
const DATABASES = (process.env.BENCH_DATABASES ?? 'pglite,postgres').split(',');
const NOW = new Date('2026-11-25T06:00:00Z');
const CATEGORIES = ['奶茶', '果茶', '甜品', '面包', '咖啡'];

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

interface Step {
  step: string;
  seconds: number;
  /** CPU time of this process (user + system): on a shared machine, what the step itself cost. */
  cpuSeconds: number;
  peakRssMb: number;
  detail: string;
}

/** Runs `fn`, sampling this process's RSS every 50 ms for the step's peak. */
async function measure(step: string, fn: () => Promise<string>): Promise<Step> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  try {
    const detail = await fn();
    const used = process.cpuUsage(cpu);
    const done = {
      step,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      cpuSeconds: (used.user + used.system) / 1e6,
      peakRssMb: Math.round(Math.max(peak, process.memoryUsage.rss()) / 2 ** 20),
      detail,
    };
    console.error(
      `  done: ${step} in ${done.seconds.toFixed(1)} s (${done.cpuSeconds.toFixed(1)} s CPU here), peak ${done.peakRssMb} MB (${detail}); load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    return done;
  } finally {
    clearInterval(timer);
  }
}

/** A progress line on stderr at most every 30 s, so a run of an hour can be followed in its log. */
function progressLog(label: string): (p: FileImportProgress) => void {
  const started = Date.now();
  let last = 0;
  return (p) => {
    if (Date.now() - last < 30_000) return;
    last = Date.now();
    console.error(`  ${label}: ${p.phase} ${Math.round((100 * p.bytes) / p.totalBytes)}% · ${p.rows.toLocaleString('en')} rows · ${Math.round((Date.now() - started) / 1000)} s`);
  };
}

/** Deterministic CSVs, written as a stream (a 10,000,000-order file is about 1 GB). */
async function writeFiles(dir: string): Promise<{ members: string; orders: string }> {
  const members = path.join(dir, `members-${MEMBERS}.csv`);
  const orders = path.join(dir, `orders-${MEMBERS}-${ORDERS}-v2.csv`);
  const write = async (file: string, header: string, count: number, row: (i: number) => string) => {
    if (fs.existsSync(file)) return;
    const out = fs.createWriteStream(`${file}.part`);
    out.write(`${header}\n`);
    for (let i = 0; i < count; i++) if (!out.write(`${row(i)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    await new Promise<void>((r) => out.end(() => r()));
    fs.renameSync(`${file}.part`, file);
  };
  await write(members, 'code,name,phone,external_userid,owner,home_store,marketing', MEMBERS, (i) => {
    const store = i % STORES;
    return `B${i},会员${i},139${String(i).padStart(8, '0')},${i % 5 ? `wm_b${i}` : ''},${i % 5 ? `staff${store}_${i % 3}` : ''},BS${store},${i % 20 ? '是' : '否'}`;
  });
  // The demo's mulberry32, 32-bit integer arithmetic throughout. (An LCG in float arithmetic, as
  // before, lost its low bits past 2^53 and cycled through only about 11,000 members.)
  const random = seeded(42);
  await write(orders, 'order_id,member,store,ordered_at,amount,discount,coupon_code,dwell_seconds,lines', ORDERS, (i) => {
    const member = Math.floor(random() * MEMBERS);
    const at = new Date(NOW.getTime() - Math.floor(random() * 120 * 86_400_000)).toISOString();
    const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
    const discount = random() < 0.2 ? 3 : 0;
    return `O${i},B${member},BS${member % STORES},${at},${25 - discount},${discount},,${Math.floor(random() * 900)},P${category}:${category}:1:${25 - discount}:9`;
  });
  return { members, orders };
}

/** One database, in its own process: prints its steps as JSON on stdout. */
async function runOne(kind: string, files: { members: string; orders: string }): Promise<Step[]> {
  let url: string;
  let cleanup = async () => undefined as void;
  if (kind === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-members-'));
    url = `pglite:${dir}`;
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    const postgres = await throwAwayPostgres();
    if (!postgres) throw new Error('bench:members needs the PostgreSQL server (BENCH_DATABASE_URL)');
    url = postgres.url;
    cleanup = postgres.drop;
  }
  const database = await openDatabase(databaseTarget(url));
  const settings = loadConfig({ MEMBERS_PHONE_PEPPER: 'bench-pepper-0123456789', MEMBERS_QUIET_HOURS: 'off' }).members;
  const steps: Step[] = [];
  try {
    await database.migrate();
    const db = database.prisma;
    await db.store.createMany({ data: Array.from({ length: STORES }, (_, s) => ({ code: `BS${s}`, name: `门店${s}` })) });
    await db.staff.createMany({
      data: Array.from({ length: STORES * 3 }, (_, i) => ({ userid: `staff${Math.floor(i / 3)}_${i % 3}`, name: `店员${i}`, storeCode: `BS${Math.floor(i / 3)}`, role: 'staff' })),
    });
    const now = () => NOW;
    steps.push(
      await measure(`import ${MEMBERS.toLocaleString('en')} members`, async () => {
        const r = await importFile(db, 'members', files.members, { pepper: settings.phonePepper, now, onProgress: progressLog(`${kind} members`) });
        if (!r.ok) throw new Error(JSON.stringify(r.problems.slice(0, 5)));
        return `${r.created} new`;
      }),
    );
    steps.push(
      await measure(`import ${ORDERS.toLocaleString('en')} orders`, async () => {
        const r = await importFile(db, 'orders', files.orders, { pepper: null, now, refreshProfiles: false, onProgress: progressLog(`${kind} orders`) });
        if (!r.ok) throw new Error(JSON.stringify(r.problems.slice(0, 5)));
        return `${r.created} new`;
      }),
    );
    steps.push(
      await measure('recompute all profiles, RFM and tags', async () => {
        const r = await recomputeMembers({ db, clock: { now }, log: createLogger('silent') });
        return `${r.profiles} profiles, ${r.added} tags`;
      }),
    );
    // A segment of whole stores, as many as make the campaign's size.
    const stores = Array.from({ length: Math.min(STORES, Math.ceil(CAMPAIGN / (MEMBERS / STORES))) }, (_, s) => `BS${s}`);
    const def = { id: 'bench', name: '基准活动', segment: { stores }, coupon: { kind: 'amount', value: 5, validDays: 7 }, schedule: { once: NOW.toISOString() }, holdoutShare: 0.1 };
    const defined = await defineCampaigns(db, def, NOW, settings);
    if (!defined.ok) throw new Error(JSON.stringify(defined.problems));
    steps.push(
      await measure(`build a campaign over ${stores.length} stores`, async () => {
        const cal = await localCalendar(db, NOW, 'Asia/Shanghai');
        const r = await buildCampaign(db, { id: 'bench', definition: campaignDefinition.parse(def) }, NOW, settings, cal, 'bench-secret');
        return `${r.treated} treated, ${r.holdout} holdout`;
      }),
    );
  } finally {
    await database.close();
    await cleanup();
  }
  return steps;
}

async function main() {
  const child = process.argv.indexOf('--run');
  if (child !== -1) {
    const files = JSON.parse(process.argv[child + 2]) as { members: string; orders: string };
    const steps = await runOne(process.argv[child + 1], files);
    process.send!(steps);
    return;
  }
  const dir = path.join(os.tmpdir(), 'bench-members-files');
  fs.mkdirSync(dir, { recursive: true });
  console.log(`writing ${MEMBERS.toLocaleString('en')} members and ${ORDERS.toLocaleString('en')} orders to ${dir} (kept for the next run)…`);
  const files = await writeFiles(dir);
  const results: Record<string, Step[]> = {};
  for (const kind of DATABASES) {
    console.log(`running on ${kind === 'pglite' ? 'PGlite' : describeTarget(databaseTarget(BENCH_ADMIN_URL))}…`);
    results[kind] = await new Promise<Step[]>((resolve, reject) => {
      const proc = fork(__filename, ['--run', kind, JSON.stringify(files)]);
      proc.once('message', (m) => resolve(m as Step[]));
      proc.once('exit', (code) => (code ? reject(new Error(`${kind} run exited with ${code}`)) : undefined));
    });
  }
  const kinds = Object.keys(results);
  console.log(`\nmembers ${MEMBERS.toLocaleString('en')}, orders ${ORDERS.toLocaleString('en')}, campaign ≈ ${CAMPAIGN.toLocaleString('en')}; ${os.cpus().length} cores`);
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (the machine may be shared: CPU s is this process's own time)`,
  );
  console.log(['step'.padEnd(44), ...kinds.map((k) => `${k.padEnd(8)} s     CPU s    peak MB`.padEnd(36))].join(''));
  for (let i = 0; i < results[kinds[0]].length; i++) {
    const row = kinds.map((k) => `${results[k][i].seconds.toFixed(1).padStart(8)} s ${results[k][i].cpuSeconds.toFixed(1).padStart(8)} s ${String(results[k][i].peakRssMb).padStart(8)} MB`.padEnd(36));
    console.log([results[kinds[0]][i].step.padEnd(44), ...row, `  ${results[kinds[0]][i].detail}`].join(''));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
