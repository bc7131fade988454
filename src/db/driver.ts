import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { DatabaseTarget } from './target';

/** The raw driver under Prisma: used for migrations (multi-statement scripts) and the adapter. */
export interface Driver {
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Runs a script of several statements (no parameters). */
  exec(sql: string): Promise<void>;
  /** Runs several statements in one transaction on one connection. */
  transaction<T>(fn: (q: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T>;
  dumpPglite(): Promise<Blob | null>;
  close(): Promise<void>;
}

/**
 * pg reports columns of type `name` (OID 19) that the adapter cannot deserialize, which breaks
 * `prisma migrate` (prisma/prisma#27403). Report them as `text` (OID 25), which they are to us.
 */
class NameAsTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = (super.query as any)(...args);
    if (!result || typeof result.then !== 'function') return result;
    return result.then((res: pg.QueryResult) => {
      for (const field of res.fields ?? []) if (field.dataTypeID === 19) field.dataTypeID = 25;
      return res;
    });
  }
}

export interface DriverOptions {
  /** The Prisma CLI: let the process exit when the pool is idle. */
  forCli?: boolean;
  poolSize?: number;
  /** A PGlite data directory dump to start from (tests: a migrated database in 1 s instead of initdb's 4 s). */
  pgliteTemplate?: Blob;
}

export async function openDriver(target: DatabaseTarget, opts: DriverOptions = {}): Promise<Driver> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: opts.poolSize ?? 10,
      Client: NameAsTextClient,
      // The Prisma CLI never ends the pool; without this every CLI command lingers 10 s.
      allowExitOnIdle: opts.forCli ?? false,
    });
    return {
      adapterFactory: new PrismaPg(pool),
      exec: async (sql) => {
        await pool.query(sql);
      },
      transaction: async (fn) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn(async (sql, params) => (await client.query(sql, params as unknown[])).rows);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      },
      dumpPglite: async () => null,
      close: () => pool.end(),
    };
  }
  if (target.dataDir) fs.mkdirSync(target.dataDir, { recursive: true });
  const db = new PGlite({ dataDir: target.dataDir ?? 'memory://', loadDataDir: opts.pgliteTemplate });
  await db.waitReady;
  return {
    // The adapter is built against an older @prisma/driver-adapter-utils; the wire shapes agree.
    adapterFactory: new PrismaPGlite(db) as unknown as SqlMigrationAwareDriverAdapterFactory,
    exec: async (sql) => {
      await db.exec(sql);
    },
    transaction: (fn) => db.transaction((tx) => fn(async (sql, params) => (await tx.query<Record<string, unknown>>(sql, params)).rows)),
    dumpPglite: () => db.dumpDataDir('none'),
    close: () => db.close(),
  };
}
