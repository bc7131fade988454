import { PrismaClient } from '../generated/prisma/client';
import { openDriver, type Driver, type DriverOptions } from './driver';
import { applyMigrations } from './migrate';
import type { DatabaseTarget } from './target';

export type Db = PrismaClient;
/** A Prisma client or the client inside an interactive transaction: what repositories accept. */
export type DbTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export interface Database {
  prisma: PrismaClient;
  target: DatabaseTarget;
  migrate(): Promise<string[]>;
  /** The raw driver's dump of a PGlite database (test templates); null on PostgreSQL. */
  dumpPglite(): Promise<Blob | null>;
  close(): Promise<void>;
}

export async function openDatabase(target: DatabaseTarget, opts: DriverOptions = {}): Promise<Database> {
  const driver: Driver = await openDriver(target, opts);
  const prisma = new PrismaClient({ adapter: driver.adapterFactory });
  return {
    prisma,
    target,
    migrate: () => applyMigrations(driver),
    dumpPglite: () => driver.dumpPglite(),
    close: async () => {
      await prisma.$disconnect();
      await driver.close();
    },
  };
}
