import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { applyMigrations, MIGRATIONS_DIR } from '../../src/db/migrate';
import { openDriver, type Driver } from '../../src/db/driver';

/**
 * The migrations must build exactly the database prisma/schema.prisma describes: a schema edit
 * committed without its migration (or a migration edited by hand) would otherwise show up only
 * as a failing query in production. `prisma migrate diff --from-migrations` cannot run on the
 * driver adapters, so the check builds two databases — one from the migrations, one from the
 * schema's own from-empty script — and compares their catalogues.
 */

const ROOT = path.join(__dirname, '..', '..');

function schemaScript(): string {
  return execFileSync('npx', ['prisma', 'migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: 'pglite:memory', CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
  });
}

/** Everything a migration can change that Prisma's schema describes, as sorted lines. */
async function catalogue(driver: Driver): Promise<string[]> {
  return driver.transaction(async (q) => {
    const rows = [
      ...(await q(`SELECT 'column ' || table_name || '.' || column_name || ' ' || udt_name || ' null=' || is_nullable || ' default=' || coalesce(column_default, '-') AS line
                   FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`)),
      ...(await q(`SELECT 'index ' || indexdef AS line FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`)),
      ...(await q(`SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line
                   FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'`)),
      ...(await q(`SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS line
                   FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`)),
    ];
    return rows.map((r) => String(r.line)).sort();
  });
}

it('the migrations build the database the Prisma schema describes', async () => {
  const fromMigrations = await openDriver({ kind: 'pglite', dataDir: null });
  const fromSchema = await openDriver({ kind: 'pglite', dataDir: null });
  try {
    await applyMigrations(fromMigrations, MIGRATIONS_DIR);
    await fromSchema.exec(schemaScript());
    const [migrated, described] = [await catalogue(fromMigrations), await catalogue(fromSchema)];
    expect(migrated.length).toBeGreaterThan(100);
    expect({ onlyInMigrations: migrated.filter((l) => !described.includes(l)), onlyInSchema: described.filter((l) => !migrated.includes(l)) }).toEqual({
      onlyInMigrations: [],
      onlyInSchema: [],
    });
  } finally {
    await fromMigrations.close();
    await fromSchema.close();
  }
}, 60_000);
