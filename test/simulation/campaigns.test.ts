import { runCampaignCoverage, type CampaignCoverage } from './campaigns';

/**
 * The campaign simulation on a few seeds: the bot's measured uplift (repeat-purchase rate,
 * treated − holdout) lands near the injected effect, and a seed gives the same figures whether
 * it runs first or after others. The 200-seed coverage is `npm run simulate:campaigns`.
 */
const databaseUrl = process.env.TEST_DATABASE_URL;
// Seeds 3 and 4: seeds 1 and 2 are two of the 13 in 200 whose interval misses (at −2.8 and −2.4
// standard errors), which a check meant to fail only when the measure breaks should not sit on.
const FIRST_SEED = 3;
let run: CampaignCoverage;

beforeAll(async () => {
  run = await runCampaignCoverage({ seeds: 2, firstSeed: FIRST_SEED, databaseUrl });
}, 180_000);

it('measures an uplift within three standard errors of the effect the members carry', () => {
  for (const s of run.perSeed) {
    expect(s.treated).toBeGreaterThan(50);
    expect(s.holdout).toBeGreaterThan(50);
    expect(Math.abs(s.estimate - s.trueEffect)).toBeLessThan(3 * s.standardError);
  }
  // The members carry the injected effect less the owners who never confirm (15%).
  expect(run.meanTrueEffect).toBeGreaterThan(0.08);
  expect(run.meanTrueEffect).toBeLessThan(0.1);
  // Two seeds: the mean estimate within three of its standard errors of the truth.
  expect(Math.abs(run.meanEstimate - run.meanTrueEffect)).toBeLessThan((3 * run.meanStandardError) / Math.sqrt(run.seeds));
});

it('gives a seed the same figures alone as after other seeds', async () => {
  const again = await runCampaignCoverage({ seeds: 1, firstSeed: FIRST_SEED + 1, databaseUrl });
  expect(again.perSeed[0]).toEqual(run.perSeed[1]);
}, 60_000);
