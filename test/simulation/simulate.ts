import { runArm } from './simulation';
import type { SimulationFigures, SimulationOptions } from './figures';

/** Runs the arms one after the other (same seed: the same shelf, the same staff). */
export async function simulate(opts: SimulationOptions): Promise<SimulationFigures> {
  const arms = [];
  for (const arm of opts.arms) arms.push(await runArm(arm, opts));
  return { options: { stores: opts.stores, days: opts.days, seed: opts.seed, arms: opts.arms, database: opts.databaseUrl ? 'postgres' : 'pglite' }, arms };
}
