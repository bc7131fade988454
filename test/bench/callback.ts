import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomKeys, seal, textMessage } from '../helpers/wecom-callback';
import { throwAwayPostgres } from './postgres';
import type { Query, Rows, ServerSpec } from './server';

/**
 * Callback throughput: the full app (verify, decrypt, deduplicating batched insert, ack) against
 * a bare server that only verifies and decrypts, measured in the same run. Each server runs in a
 * forked process of its own; this process is the load generator, so the server's event loop is
 * what gets measured.
 *
 *   npm run bench:callback
 *   BENCH_MESSAGES=20000 BENCH_CONCURRENCY=64 BENCH_DATABASE_URL=postgresql://… npm run bench:callback
 *   BENCH_WORKERS=1 npm run bench:callback   # with the handler workers running behind the callbacks
 *
 * By default the full app runs without its workers: the figure is the callback path alone, which
 * must keep up with WeCom; the handlers run after the ack and may lag behind a burst.
 */

const MESSAGES = positiveInt('BENCH_MESSAGES', 20_000);
const CONCURRENCY = positiveInt('BENCH_CONCURRENCY', 64);
// Enough for the JIT and the database's caches, and cheap even at the full app's pace.
const WARMUP = Math.min(1_000, MESSAGES);
const WORKERS = process.env.BENCH_WORKERS === '1';

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

interface Delivery {
  path: string;
  body: Buffer;
}

/**
 * Distinct messages (unique MsgIds), sealed just before the run so their timestamps are fresh:
 * a run longer than WECOM_CALLBACK_MAX_SKEW_SECONDS (300 s) would see its tail refused as stale.
 */
function build(keys: ReturnType<typeof randomKeys>, count: number): Delivery[] {
  return Array.from({ length: count }, (_, i) => {
    const { query, body } = seal(keys, textMessage(keys, `staff${i % 100}`, `盘点 ${i}`));
    return { path: `/wecom/callback?${new URLSearchParams(query)}`, body: Buffer.from(body) };
  });
}

interface Drive {
  elapsedMs: number;
  latenciesMs: Float64Array;
  failures: number;
}

/** Posts every delivery once, keeping `CONCURRENCY` requests in flight on keep-alive sockets. */
async function drive(port: number, deliveries: Delivery[]): Promise<Drive> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latenciesMs = new Float64Array(deliveries.length);
  let failures = 0;
  let next = 0;
  const post = ({ path: url, body }: Delivery) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ agent, host: '127.0.0.1', port, method: 'POST', path: url, headers: { 'content-type': 'text/xml', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < deliveries.length) {
        const i = next++;
        const sent = performance.now();
        const status = await post(deliveries[i]);
        latenciesMs[i] = performance.now() - sent;
        if (status !== 200) failures++;
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { elapsedMs, latenciesMs, failures };
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Busy and total CPU time of the whole machine (all cores), to see what else was competing. */
function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const sum = times.user + times.nice + times.sys + times.irq + times.idle;
    total += sum;
    busy += sum - times.idle;
  }
  return { busy, total };
}

/** How busy the machine is before we start: anything else running skews every figure. */
async function idleCheck(): Promise<number> {
  const before = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = machineCpu();
  return ((after.busy - before.busy) / (after.total - before.total)) * 100;
}

/** The next IPC message from the server; rejects if it dies first. */
function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const died = (code: number | null) => reject(new Error(`bench server exited with ${code} before answering`));
    child.once('exit', died);
    child.once('message', (message) => {
      child.off('exit', died);
      resolve(message as T);
    });
  });
}

async function ask<T>(child: ChildProcess, query: Query): Promise<T> {
  const answer = nextMessage<{ value: T }>(child);
  child.send(query);
  return (await answer).value;
}

interface Result {
  name: string;
  throughput: number;
  p50: number;
  p99: number;
  /** CPU time as a percentage of one core, over the measured run. */
  serverCpu: number;
  loadCpu: number;
  /** Percentage of all cores busy, whoever used them (the server, us, PostgreSQL). */
  machineBusy: number;
  failures: number;
  rows: Rows | null;
}

async function bench(name: string, spec: ServerSpec): Promise<Result> {
  const child = fork(path.join(__dirname, 'server.ts'), [JSON.stringify(spec)], { stdio: 'inherit' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const { port } = await nextMessage<{ port: number }>(child);
    const deliveries = build(spec.keys, WARMUP + MESSAGES);
    const warmup = await drive(port, deliveries.slice(0, WARMUP));

    const serverBefore = await ask<NodeJS.CpuUsage>(child, 'cpu');
    const loadBefore = process.cpuUsage();
    const machineBefore = machineCpu();
    const run = await drive(port, deliveries.slice(WARMUP));
    const machineAfter = machineCpu();
    const loadCpu = process.cpuUsage(loadBefore);
    const serverAfter = await ask<NodeJS.CpuUsage>(child, 'cpu');

    const rows = await ask<Rows | null>(child, 'rows');
    const sorted = run.latenciesMs.slice().sort();
    const percentOfCore = (micros: number) => (micros / 1000 / run.elapsedMs) * 100;
    return {
      name,
      throughput: MESSAGES / (run.elapsedMs / 1000),
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      serverCpu: percentOfCore(serverAfter.user + serverAfter.system - serverBefore.user - serverBefore.system),
      loadCpu: percentOfCore(loadCpu.user + loadCpu.system),
      machineBusy: ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100,
      failures: warmup.failures + run.failures,
      rows,
    };
  } finally {
    if (child.connected) await ask(child, 'stop').catch(() => undefined);
    else child.kill();
    await exited;
  }
}

function printTable(results: Result[]): void {
  const bare = results.find((r) => r.name === 'bare');
  const header = ['server', 'msg/s', 'p50 ms', 'p99 ms', 'full/bare', 'server CPU', 'loadgen CPU', 'machine busy', 'rows stored', 'handled'];
  const lines = results.map((r) => [
    r.name,
    r.throughput.toFixed(0),
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    r === bare || !bare ? '' : (r.throughput / bare.throughput).toFixed(2),
    `${r.serverCpu.toFixed(0)}%`,
    `${r.loadCpu.toFixed(0)}%`,
    `${r.machineBusy.toFixed(0)}%`,
    r.rows ? `${r.rows.stored}/${WARMUP + MESSAGES}` : '',
    r.rows ? (WORKERS ? String(r.rows.handled) : 'no workers') : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const line of [header, ...lines]) console.log(line.map((cell, i) => cell.padStart(widths[i])).join('  '));
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(`${MESSAGES} messages per server after ${WARMUP} warm-up, ${CONCURRENCY} in flight over keep-alive loopback HTTP.`);
  console.log(`Each server runs in a forked process of its own; the load generator is this process. ${cpus.length} × ${cpus[0]?.model}`);
  console.log(
    WORKERS
      ? 'Full app: app.start(0), workers running (features [], so the processor claims and finishes each row; no replies).'
      : 'Full app: HTTP only, workers not started: the callback path alone (BENCH_WORKERS=1 adds them).',
  );
  const busy = await idleCheck();
  console.log(`Machine ${busy.toFixed(0)}% busy before the run${busy > 10 ? ' — something else is running; the figures will be skewed' : ''}.\n`);

  const results: Result[] = [];
  results.push(await bench('bare', { mode: 'bare', keys: randomKeys() }));
  results.push(await bench('full PGlite', { mode: 'full', keys: randomKeys(), databaseUrl: 'pglite:memory', workers: WORKERS }));
  const postgres = await throwAwayPostgres();
  if (postgres) {
    try {
      results.push(await bench('full PostgreSQL', { mode: 'full', keys: randomKeys(), databaseUrl: postgres.url, workers: WORKERS }));
    } finally {
      await postgres.drop();
    }
  }

  printTable(results);
  console.log('\nserver/loadgen CPU: % of one core over the measured run; machine busy: % of all cores (includes PostgreSQL).');
  console.log('rows stored: inbound_message rows after the run (warm-up included); handled: rows the processor had finished by then.');

  const problems = results.flatMap((r) => [
    ...(r.failures > 0 ? [`${r.name}: ${r.failures} responses were not 200`] : []),
    ...(r.rows && r.rows.stored !== WARMUP + MESSAGES ? [`${r.name}: ${r.rows.stored} rows stored, ${WARMUP + MESSAGES} messages sent`] : []),
  ]);
  for (const problem of problems) console.error(`FAILED ${problem}`);
  if (problems.length === 0) console.log(`\nAll ${results.length * (WARMUP + MESSAGES)} responses were 200; every full run stored one row per message.`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
