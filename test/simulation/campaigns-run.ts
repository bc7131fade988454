import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCampaignCoverage } from './campaigns';

/**
 * `npm run simulate:campaigns -- [--seeds 200] [--first-seed 1] [--members 600] [--effect 0.1]
 * [--reach 0.8] [--out simulation-out/campaigns.json]`: the campaign coverage over many seeds,
 * printed as a table and written as JSON. DATABASE_URL: run on that PostgreSQL server instead of PGlite.
 */
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '200' },
    'first-seed': { type: 'string', default: '1' },
    members: { type: 'string', default: '600' },
    effect: { type: 'string', default: '0.1' },
    reach: { type: 'string' },
    out: { type: 'string', default: 'simulation-out/campaigns.json' },
    quiet: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const coverage = await runCampaignCoverage({
    seeds: Number(values.seeds),
    firstSeed: Number(values['first-seed']),
    members: Number(values.members),
    injectedEffect: Number(values.effect),
    model: values.reach === undefined ? undefined : { reachShare: Number(values.reach) },
    databaseUrl: process.env.DATABASE_URL,
    log: values.quiet ? undefined : (line) => console.log(line),
  });
  fs.mkdirSync(path.dirname(values.out), { recursive: true });
  fs.writeFileSync(values.out, JSON.stringify(coverage, null, 2));
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.table({
    seeds: coverage.seeds,
    'members per seed': coverage.membersPerSeed,
    'injected effect (receivers)': coverage.injectedEffect,
    'true ITT effect (mean)': coverage.meanTrueEffect.toFixed(4),
    'mean estimate': coverage.meanEstimate.toFixed(4),
    'mean standard error': coverage.meanStandardError.toFixed(4),
    'spread of errors (sd)': coverage.spreadOfErrors.toFixed(4),
    bias: `${coverage.bias.toFixed(4)} ± ${coverage.biasStandardError.toFixed(4)}`,
    '95% CI coverage': `${pct(coverage.coverage)} (${coverage.covered}/${coverage.seeds})`,
    duration: `${coverage.durationSeconds.toFixed(0)} s`,
  });
  console.log(`written ${values.out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
