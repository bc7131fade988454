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
    // An idle connection the server ends (a restart, a failover, an admin's terminate) is an
    // 'error' on the pool; without a listener it would crash the process. pg-pool drops that
    // client and the next query opens a fresh one, so there is nothing else to do.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL closed an idle connection: ${err.message}`));
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
  const releaseLock = target.dataDir ? lockDataDir(target.dataDir) : () => undefined;
  let db: PGlite;
  try {
    db = new PGlite({ dataDir: target.dataDir ?? 'memory://', loadDataDir: opts.pgliteTemplate });
    await db.waitReady;
  } catch (err) {
    releaseLock();
    throw err;
  }
  return {
    // The adapter is built against an older @prisma/driver-adapter-utils; the wire shapes agree.
    adapterFactory: new PrismaPGlite(db) as unknown as SqlMigrationAwareDriverAdapterFactory,
    exec: async (sql) => {
      await db.exec(sql);
    },
    transaction: (fn) => db.transaction((tx) => fn(async (sql, params) => (await tx.query<Record<string, unknown>>(sql, params)).rows)),
    dumpPglite: () => db.dumpDataDir('none'),
    close: async () => {
      await db.close();
      releaseLock();
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same directory (say
 * `npm run admin -- import` while `npm start` runs) corrupts it. A lock file with the owner's pid
 * refuses the second opener; a lock left by a process that no longer exists is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = `${dataDir.replace(/\/+$/, '')}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(lockFile, 'utf8'));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new Error(`the embedded database ${dataDir} is in use by process ${owner}: stop it first (PGlite allows one process), or use PostgreSQL`);
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
