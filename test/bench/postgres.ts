import crypto from 'node:crypto';
import pg from 'pg';
import { describeTarget } from '../../src/db/target';

/** The PostgreSQL server the benchmarks create their throw-away databases on. */
export const BENCH_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A database of its own on the PostgreSQL server, or null (and why, printed) when there is none to reach. */
export async function throwAwayPostgres(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const connect = async () => {
    const client = new pg.Client({ connectionString: BENCH_ADMIN_URL, connectionTimeoutMillis: 3000 });
    await client.connect();
    return client;
  };
  let admin: pg.Client;
  try {
    admin = await connect();
  } catch (err) {
    console.log(`PostgreSQL at ${describeTarget({ kind: 'postgres', url: BENCH_ADMIN_URL })} unreachable (${(err as Error).message}): skipping the PostgreSQL run.`);
    return null;
  }
  const name = `bench_${crypto.randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(BENCH_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = await connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
