import type { DatabaseTarget } from './target';

/**
 * The one line an IT person needs when the database cannot be opened at start-up: what is wrong,
 * which setting it comes from, and what to do. null for errors that are not about reaching the
 * database (those keep their stack: they are bugs).
 */
export function explainDatabaseError(err: unknown, target: DatabaseTarget): string | null {
  const e = err as { code?: string; message?: string };
  if (target.kind === 'pglite') {
    const dir = target.dataDir ?? 'memory';
    if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS')
      return `config: DATABASE_URL: the embedded database directory ${dir} cannot be written (${e.code}): give this user write access, or set DATABASE_URL=pglite:<a writable directory>`;
    if (e.code === 'ENOSPC') return `config: DATABASE_URL: no space left for the embedded database at ${dir}: free disk space or point DATABASE_URL=pglite:<dir> at a larger disk`;
    return null;
  }
  const url = new URL(target.url);
  const where = `${url.hostname || 'localhost'}:${url.port || '5432'}`;
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || 'postgres';
  const user = decodeURIComponent(url.username) || 'the default user';
  switch (e.code) {
    case 'ECONNREFUSED':
      return `config: DATABASE_URL: nothing accepts connections at ${where}: start PostgreSQL there, or correct the host and port in DATABASE_URL`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `config: DATABASE_URL: the host "${url.hostname}" cannot be resolved: correct the host in DATABASE_URL`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `config: DATABASE_URL: ${where} cannot be reached (${e.code}): check the host, the port and the firewall`;
    case '3D000': // invalid_catalog_name
      return `config: DATABASE_URL: the database "${database}" does not exist on ${where}: create it (createdb ${database}) or name an existing one in DATABASE_URL`;
    case '28000': // invalid_authorization_specification: unknown role, or pg_hba.conf refuses
    case '28P01': // invalid_password
      return `config: DATABASE_URL: PostgreSQL at ${where} refused user ${user} (${e.message}): correct the user and password in DATABASE_URL`;
    case '42501': // insufficient_privilege: cannot create the migration table or a schema object
      return `config: DATABASE_URL: user ${user} may not create tables in "${database}" (${e.message}): grant it, or use the database owner`;
    case '53300': // too_many_connections
      return `config: DATABASE_URL: PostgreSQL at ${where} has no free connection slots: raise max_connections or stop idle clients`;
  }
  if (/self[- ]signed|certificate|SSL/i.test(e.message ?? '')) return `config: DATABASE_URL: the TLS connection to ${where} failed (${e.message}): check sslmode in DATABASE_URL`;
  return null;
}
