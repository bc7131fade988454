import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db';
import { MIGRATIONS_DIR } from '../../src/db/migrate';

/**
 * Tests run on PGlite by default and on a real PostgreSQL when TEST_DATABASE_URL is set; each
 * test file gets a database of its own (PGlite in memory, or a throw-away PostgreSQL database).
 */
export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

export function pgliteTemplatePath(): string {
  const hash = crypto.createHash('sha256');
  for (const name of fs.readdirSync(MIGRATIONS_DIR).sort()) {
    const file = path.join(MIGRATIONS_DIR, name, 'migration.sql');
    if (fs.existsSync(file)) hash.update(name).update(fs.readFileSync(file));
  }
  return path.join(os.tmpdir(), `mendian-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
}

export async function openTestDatabase(): Promise<Database> {
  if (!onPostgres) {
    const template = new Blob([fs.readFileSync(pgliteTemplatePath())]);
    return openDatabase({ kind: 'pglite', dataDir: null }, { pgliteTemplate: template });
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `mendian_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString() });
  await database.migrate();
  return {
    ...database,
    close: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
