import path from 'node:path';

/**
 * Where the database lives. `DATABASE_URL` unset (or `pglite:<dir>`) means the embedded
 * PGlite under ./data; `postgresql://…` means a real server. `pglite:memory` is a throw-away
 * in-memory database (tests).
 */
export type DatabaseTarget = { kind: 'pglite'; dataDir: string | null } | { kind: 'postgres'; url: string };

export const DEFAULT_PGLITE_DIR = './data/pglite';

/** What the Prisma CLI is shown when the app runs on PGlite: it insists on a postgresql:// URL. */
export const PLACEHOLDER_DATABASE_URL = 'postgresql://embedded-pglite@localhost/unused';

export function databaseTarget(url: string | undefined): DatabaseTarget {
  const value = url?.trim();
  if (!value || value === PLACEHOLDER_DATABASE_URL) {
    return { kind: 'pglite', dataDir: path.resolve(DEFAULT_PGLITE_DIR) };
  }
  if (value.startsWith('pglite:')) {
    const dir = value.slice('pglite:'.length);
    if (dir === 'memory') return { kind: 'pglite', dataDir: null };
    return { kind: 'pglite', dataDir: path.resolve(dir || DEFAULT_PGLITE_DIR) };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    // The driver would throw a bare `TypeError: Invalid URL` from deep inside at first connect.
    if (!URL.canParse(value)) {
      throw new Error('DATABASE_URL is not a valid URL: write it as postgresql://user:password@host:5432/database (percent-encode special characters in the password)');
    }
    return { kind: 'postgres', url: value };
  }
  throw new Error(`DATABASE_URL must be postgresql://… or pglite:<dir> (or unset for the embedded database), got "${value.split(':')[0]}:…"`);
}

export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'postgres') return `postgresql (${new URL(target.url).host}${new URL(target.url).pathname})`;
  return target.dataDir ? `embedded PGlite at ${target.dataDir}` : 'embedded PGlite in memory';
}
