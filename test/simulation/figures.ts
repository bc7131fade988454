import type { CampaignCoverage } from './campaigns';
/** What a simulation run measures: the input of report.html and the content of figures.json. */
export type ArmName = 'off' | 'on';

export interface SimulationOptions {
  stores: number;
  days: number;
  seed: number;
  arms: ArmName[];
  /** postgresql://…: each arm on a throw-away database of that server; unset: PGlite in memory. */
  databaseUrl?: string;
  progress?: (line: string) => void;
}

/** One store at the end of one day (23:50). */
export interface StoreDay {
  day: number;
  store: string;
  skus: number;
  /** SKUs whose book equals the shelf. */
  exact: number;
  /** SKUs within the count tolerance (±2% of the book; a book of 0 only with an empty shelf). */
  withinTolerance: number;
  /** Σ shelf × cost price. */
  shelfValue: number;
  /** Σ |book − shelf| × cost price. */
  errorValue: number;
  /** Tasks the bot opened for the store, due that day (late deliveries, held waste…). */
  nudges: number;
  /** The store health score so far this month, % of its available points (null: nothing measured). */
  score: number | null;
}

/** The chain at the end of one day. */
export interface ChainDay {
  day: number;
  date: string;
  hitRateExact: number;
  hitRateWithinTolerance: number;
  /** 1 − Σ|book − shelf| × cost / Σ shelf × cost. */
  valueAccuracy: number;
  nudges: number;
  meanScore: number | null;
}

export interface ArmFigures {
  arm: ArmName;
  durationMs: number;
  chainDays: ChainDay[];
  storeDays: StoreDay[];
  /** What was sent through the bot, and what it did not book. */
  tally: Record<string, number>;
  /** Wall-clock time spent running jobs, in chat, taps, sync posts and measuring. */
  timingMs: Record<string, number>;
  /** The most frequent answers of the bot to an entry it did not book (numbers masked). */
  refusals: Record<string, number>;
}

export interface SimulationFigures {
  options: { stores: number; days: number; seed: number; arms: ArmName[]; database: 'pglite' | 'postgres' };
  arms: ArmFigures[];
  /** The campaign simulation's coverage (campaigns.ts), when the run asked for it (--campaign-seeds). */
  campaigns?: Omit<CampaignCoverage, 'perSeed'>;
}
