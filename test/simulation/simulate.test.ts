import { simulate } from './simulate';
import type { SimulationFigures } from './figures';

/**
 * A small simulated chain (2 stores × 4 days) through the real bot, twice with the same seed:
 * the checks (cycle counts, late-delivery chasing, held-waste review) keep the book closer to
 * the shelf than a plain ledger, and a seed gives the same figures every time.
 */
const OPTIONS = { stores: 2, days: 4, seed: 7, arms: ['off', 'on'] as const };
let first: SimulationFigures;

beforeAll(async () => {
  first = await simulate({ ...OPTIONS, arms: [...OPTIONS.arms] });
}, 300_000);

const arm = (f: SimulationFigures, name: 'off' | 'on') => f.arms.find((a) => a.arm === name)!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** The figures without what depends on the machine (run times). */
const figuresOnly = (f: SimulationFigures) => f.arms.map((a) => ({ arm: a.arm, chainDays: a.chainDays, storeDays: a.storeDays, tally: a.tally, refusals: a.refusals }));

it('keeps the book closer to the shelf with the checks on than with a plain ledger', () => {
  const on = arm(first, 'on').chainDays;
  const off = arm(first, 'off').chainDays;
  expect(on).toHaveLength(OPTIONS.days);
  expect(on.at(-1)!.hitRateWithinTolerance).toBeGreaterThan(off.at(-1)!.hitRateWithinTolerance);
  expect(mean(on.map((d) => d.hitRateWithinTolerance))).toBeGreaterThan(mean(off.map((d) => d.hitRateWithinTolerance)));
  // The checks-on arm ran counts and was nudged; the plain ledger neither.
  expect(arm(first, 'on').tally.countsDone).toBeGreaterThan(0);
  expect(arm(first, 'off').tally.countsDone).toBe(0);
  expect(off.reduce((n, d) => n + d.nudges, 0)).toBe(0);
});

it('gives the same figures for the same seed', async () => {
  const again = await simulate({ ...OPTIONS, arms: [...OPTIONS.arms] });
  expect(figuresOnly(again)).toEqual(figuresOnly(first));
}, 300_000);
