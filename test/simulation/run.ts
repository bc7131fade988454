import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runArm } from './simulation';
import { simulate } from './simulate';
import { runCampaignCoverage } from './campaigns';
import { summaryTable, writeReport } from './report';
import type { ArmFigures, ArmName, SimulationFigures, SimulationOptions } from './figures';

/**
 * A simulated chain month through the real bot (see README.md, "Simulation"):
 *
 *   npm run simulate -- [--stores 20] [--days 30] [--seed 1] [--arms off,on] [--out simulation-out] [--sequential]
 *
 * DATABASE_URL=postgresql://… runs each arm on a throw-away database of that server. With two arms
 * each runs in a process of its own, side by side (PGlite runs in the process's one thread);
 * --sequential runs them one after the other in this process.
 */
const { values } = parseArgs({
  options: {
    stores: { type: 'string', default: '20' },
    days: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    arms: { type: 'string', default: 'off,on' },
    out: { type: 'string', default: 'simulation-out' },
    sequential: { type: 'boolean', default: false },
    /** Seeds of the campaign simulation (campaigns.ts) to add to the report; 0: none (200 take about 15 minutes of their own). */
    'campaign-seeds': { type: 'string', default: '0' },
    /** Internal: run this one arm and write its figures to --arm-figures. */
    'only-arm': { type: 'string' },
    'arm-figures': { type: 'string' },
  },
});

function wholeNumber(name: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number of at least ${min}`);
    process.exit(2);
  }
  return n;
}

const arms = values.arms!.split(',').map((a) => a.trim()) as ArmName[];
if (arms.length === 0 || arms.some((a) => a !== 'off' && a !== 'on')) {
  console.error('--arms takes off, on or off,on');
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : undefined;
const opts: SimulationOptions = {
  stores: wholeNumber('stores', values.stores, 1),
  days: wholeNumber('days', values.days, 1),
  seed: wholeNumber('seed', values.seed, 0),
  arms,
  databaseUrl,
  progress: (line) => console.log(line),
};

async function armInChild(arm: ArmName): Promise<ArmFigures> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mendian-sim-')), `${arm}.json`);
  const args = [...process.execArgv, process.argv[1]!, '--stores', String(opts.stores), '--days', String(opts.days), '--seed', String(opts.seed), '--only-arm', arm, '--arm-figures', file];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`arm ${arm} exited with ${code}`))));
  });
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ArmFigures;
}

async function main(): Promise<void> {
  if (values['only-arm']) {
    const figures = await runArm(values['only-arm'] as ArmName, opts);
    fs.writeFileSync(values['arm-figures']!, JSON.stringify(figures));
    return;
  }
  const started = performance.now();
  const figures: SimulationFigures =
    values.sequential || arms.length === 1
      ? await simulate(opts)
      : { options: { stores: opts.stores, days: opts.days, seed: opts.seed, arms, database: databaseUrl ? 'postgres' : 'pglite' }, arms: await Promise.all(arms.map(armInChild)) };
  const campaignSeeds = wholeNumber('campaign-seeds', values['campaign-seeds'], 0);
  if (campaignSeeds > 0) {
    const { perSeed: _perSeed, ...coverage } = await runCampaignCoverage({ seeds: campaignSeeds, databaseUrl, log: (line) => console.log(line) });
    figures.campaigns = coverage;
  }
  const written = writeReport(figures, values.out!);
  const c = figures.campaigns;
  if (c) console.log(`\ncampaigns: the 95% CI contained the true uplift in ${(c.coverage * 100).toFixed(1)}% of ${c.seeds} seeds; bias ${c.bias.toFixed(4)} ± ${c.biasStandardError.toFixed(4)}`);
  console.log(`\n${summaryTable(figures)}\n\nwall time ${((performance.now() - started) / 1000).toFixed(0)} s; ${written.html}, ${written.json}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
