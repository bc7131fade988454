import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Driver } from './driver';
import { PROJECT_ROOT } from '../paths';

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');

/** The same key Prisma Migrate locks on, so our runner and the CLI never migrate at once. */
const MIGRATION_LOCK_KEY = 72707369;

/**
 * Applies prisma/migrations/* in order, in-process, recording each in `_prisma_migrations`
 * exactly as Prisma Migrate does (so `prisma migrate status` agrees). We do this ourselves
 * because the Prisma CLI on the JS engine never exits on PGlite; the advisory lock keeps
 * replicas that start together from racing.
 */
export async function applyMigrations(driver: Driver, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();

  return driver.transaction(async (query) => {
    await query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const rows = await query('SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
    const applied = new Map(rows.map((r) => [String(r.migration_name), String(r.checksum)]));
    const newlyApplied: string[] = [];
    for (const name of migrations) {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      const checksum = crypto.createHash('sha256').update(sql).digest('hex');
      const known = applied.get(name);
      if (known !== undefined) {
        if (known !== checksum) {
          throw new Error(`migration ${name} was changed after it was applied — add a new migration instead of editing it`);
        }
        continue;
      }
      // Each migration file is a script of many statements; run them through the driver's simple protocol.
      for (const statement of splitStatements(sql)) await query(statement);
      await query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), 1)`,
        [crypto.randomUUID(), checksum, name],
      );
      newlyApplied.push(name);
    }
    return newlyApplied;
  });
}

/**
 * Splits a migration script into statements. Prisma's generated SQL has no functions or
 * dollar-quoted bodies; we still honour quotes and comments so a hand-written one is safe.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      current += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        const stop = end === -1 ? sql.length : end + tag.length;
        current += sql.slice(i, stop);
        i = stop;
        continue;
      }
    }
    if (ch === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
      i++;
      continue;
    }
    current += ch;
    i++;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
