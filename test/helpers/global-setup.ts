import fs from 'node:fs';
import { openDatabase } from '../../src/db';
import { onPostgres, pgliteTemplatePath } from './database';

/** Builds (once per set of migrations) a migrated PGlite dump every test file starts from. */
export default async function globalSetup(): Promise<void> {
  if (onPostgres) return;
  const file = pgliteTemplatePath();
  if (fs.existsSync(file)) return;
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  await database.migrate();
  const dump = await database.dumpPglite();
  await database.close();
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, Buffer.from(await dump!.arrayBuffer()));
  fs.renameSync(tmp, file);
}
