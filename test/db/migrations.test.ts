import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations, MIGRATIONS_DIR, splitStatements } from '../../src/db/migrate';
import { openDriver } from '../../src/db/driver';
import { openTestDatabase } from '../helpers/database';

it('applies nothing twice and records migrations where the Prisma CLI looks for them', async () => {
  const database = await openTestDatabase(); // already migrated
  expect(await database.migrate()).toEqual([]);
  const rows = await database.prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM "_prisma_migrations"`;
  expect(rows.map((r) => r.migration_name)).toEqual(
    fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((n) => !n.endsWith('.toml'))
      .sort(),
  );
  await database.close();
});

it('refuses to run when an applied migration was edited', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  fs.mkdirSync(path.join(dir, '001_a'));
  fs.writeFileSync(path.join(dir, '001_a', 'migration.sql'), 'CREATE TABLE a (id int);');
  const driver = await openDriver({ kind: 'pglite', dataDir: null });
  try {
    expect(await applyMigrations(driver, dir)).toEqual(['001_a']);
    fs.writeFileSync(path.join(dir, '001_a', 'migration.sql'), 'CREATE TABLE a (id bigint);');
    await expect(applyMigrations(driver, dir)).rejects.toThrow(/001_a was changed after it was applied/);
  } finally {
    await driver.close();
  }
});

it('splits scripts on semicolons outside quotes, comments and dollar-quoted bodies', () => {
  const sql = `-- a comment; with a semicolon\nCREATE TABLE "x;y" (v text DEFAULT ';');\n/* a block; comment */\nDO $$ BEGIN PERFORM 1; END $$;\nSELECT 2`;
  expect(splitStatements(sql)).toEqual(['CREATE TABLE "x;y" (v text DEFAULT \';\')', 'DO $$ BEGIN PERFORM 1; END $$', 'SELECT 2']);
});
