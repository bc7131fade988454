import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Db } from '../../db';
import { CsvFormatError, readCsvBatches } from './csv';
import { checkMemberReferences, checkOrderReferences, writeMembers, writeOrders, type Parsed, type Problem } from './ingest';
import { refreshProfiles } from './profiles';
import { hashPhone, MEMBER_KINDS, requiredColumns, type MemberKind, type MemberRow, type OrderRow } from './rows';

/** Rows staged per insert: big enough to amortise a round trip, small enough to keep memory flat. */
export const IMPORT_BATCH = 10_000;
/** Staged rows moved into place per statement: a progress step, and a transaction of bounded size. */
const MOVE_CHUNK = 200_000;
/** Staged rows travel as one text of fields joined by ASCII's unit separator, rows by its record separator. */
const FIELD = '\x1f';
const RECORD = '\x1e';
const SEPARATORS = /[\x1e\x1f]/;
/** Problems kept for the report; past this only the count grows (a wrong file can have millions). */
const MAX_PROBLEMS_LISTED = 200;

export type DocumentOutcome = { ok: true; rows: number; created: number; updated: number } | { ok: false; problems: Problem[] };

/**
 * A members or orders document from the sync API (a JSON array): every row checked first, every
 * problem listed, and only a clean document written — in one transaction, with the profiles of
 * the members whose orders arrived brought up to date in it.
 */
export async function importDocument(db: Db, kind: MemberKind, body: string, pepper: string | null, now: Date): Promise<DocumentOutcome> {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    return { ok: false, problems: [{ line: 1, message: `不是有效的 JSON：${(err as Error).message}` }] };
  }
  if (!Array.isArray(data) || data.length === 0) return { ok: false, problems: [{ line: 1, message: 'JSON 应该是一个非空数组，每个元素是一行' }] };
  const problems: Problem[] = [];
  const rows = validate(
    kind,
    data.map((record, i) => ({ line: i + 1, record })),
    problems,
  );
  if (kind === 'members') await checkMemberReferences(db, rows as Parsed<MemberRow>[], pepper, problems);
  else await checkOrderReferences(db, rows as Parsed<OrderRow>[], problems);
  if (problems.length) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return db.$transaction(
    async (tx) => {
      if (kind === 'members') {
        const counts = await writeMembers(
          tx,
          (rows as Parsed<MemberRow>[]).map((r) => r.row),
          pepper,
          now,
        );
        return { ok: true as const, rows: rows.length, ...counts };
      }
      const written = await writeOrders(
        tx,
        (rows as Parsed<OrderRow>[]).map((r) => r.row),
        now,
      );
      await refreshProfiles(tx, now, written.members);
      return { ok: true as const, rows: rows.length, created: written.created, updated: 0 };
    },
    { timeout: 120_000 },
  );
}

function validate(kind: MemberKind, records: { line: number; record: unknown }[], problems: Problem[]): Parsed<MemberRow | OrderRow>[] {
  const schema = MEMBER_KINDS[kind];
  const rows: Parsed<MemberRow | OrderRow>[] = [];
  for (const { line, record } of records) {
    const result = schema.safeParse(record);
    if (result.success) rows.push({ line, row: result.data });
    else for (const issue of result.error.issues) problems.push({ line, message: issue.message });
  }
  return rows;
}

export interface FileImportProgress {
  /** check: reading, validating and staging the file; write: moving the staged rows into place. */
  phase: 'check' | 'write';
  /** Bytes of the file read (check) or written (write) so far, of `totalBytes`. */
  bytes: number;
  totalBytes: number;
  rows: number;
}

export type FileImportOutcome = { ok: true; rows: number; created: number; updated: number; seconds: number } | { ok: false; problems: Problem[]; problemCount: number };

/** How one kind of row is staged, checked against what it names, and moved into its table. */
interface StagedKind {
  /** The table the rows end up in. */
  table: string;
  columns: string;
  /** The staging columns from `f`, a staged row's fields as text ('' for none). */
  fields: string;
  /** The staging fields of a valid record (undefined for none), or what is wrong with it beyond its fields. */
  stage(row: MemberRow | OrderRow, line: number, pepper: string | null): { fields: (string | number | undefined)[] } | { problems: string[] };
  /** Reference checks run in SQL over the whole staging table `s`: a condition that is bad, and its message. */
  references: { bad: string; message: string }[];
  /** Moves staged lines ($1, $2] into place; returns [created, updated]. $3 is now. */
  move(db: Db, stage: string, from: number, to: number, now: Date): Promise<[number, number]>;
}

const STAGED: Record<MemberKind, StagedKind> = {
  members: {
    table: 'member',
    columns: 'line int, code text, name text, phone_hash text, external_userid text, owner_userid text, home_store text, marketing boolean',
    fields: `f[1]::int, f[2], nullif(f[3], ''), nullif(f[4], ''), nullif(f[5], ''), nullif(f[6], ''), nullif(f[7], ''), nullif(f[8], '')::boolean`,
    stage(r, line, pepper) {
      const row = r as MemberRow;
      const problems: string[] = [];
      if (row.external_userid && !row.owner) problems.push('有 external_userid 的会员需要 owner（添加该客户的员工）');
      if (row.phone && !pepper) problems.push('未配置 MEMBERS_PHONE_PEPPER，不能保存手机号');
      if (problems.length) return { problems };
      return {
        fields: [
          line,
          row.code,
          row.name,
          row.phone && pepper ? hashPhone(pepper, row.phone) : undefined,
          row.external_userid,
          row.owner,
          row.home_store,
          row.marketing === undefined ? undefined : row.marketing ? 't' : 'f',
        ],
      };
    },
    references: [
      { bad: 's.home_store IS NOT NULL AND NOT EXISTS (SELECT 1 FROM store x WHERE x.code = s.home_store)', message: `'门店 ' || s.home_store || ' 不存在'` },
      { bad: 's.owner_userid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff x WHERE x.userid = s.owner_userid)', message: `'员工 ' || s.owner_userid || ' 不存在'` },
    ],
    async move(db, stage, from, to, now) {
      // Later rows win within the chunk, as they would one by one; a field left out keeps what is stored.
      const chunk = `SELECT DISTINCT ON (code) * FROM ${stage} WHERE line > $1 AND line <= $2 ORDER BY code, line DESC`;
      const updated = await db.$executeRawUnsafe(
        `UPDATE member m SET name = coalesce(i.name, m.name), phone_hash = coalesce(i.phone_hash, m.phone_hash),
           external_userid = coalesce(i.external_userid, m.external_userid), owner_userid = coalesce(i.owner_userid, m.owner_userid),
           home_store = coalesce(i.home_store, m.home_store), marketing_opt_in = coalesce(i.marketing, m.marketing_opt_in), updated_at = $3
         FROM (${chunk}) i WHERE m.code = i.code`,
        from,
        to,
        now,
      );
      const created = await db.$executeRawUnsafe(
        `INSERT INTO member (code, name, phone_hash, external_userid, owner_userid, home_store, marketing_opt_in, created_at, updated_at)
         SELECT code, name, phone_hash, external_userid, owner_userid, home_store, coalesce(marketing, true), $3, $3 FROM (${chunk}) i
         ON CONFLICT (code) DO NOTHING`,
        from,
        to,
        now,
      );
      return [created, updated];
    },
  },
  orders: {
    table: 'member_order',
    columns: 'line int, order_id text, member_code text, store_code text, ordered_at timestamptz, amount numeric, discount numeric, coupon_code text, dwell_seconds int, lines jsonb',
    fields: `f[1]::int, f[2], f[3], f[4], f[5]::timestamptz, f[6]::numeric, f[7]::numeric, nullif(f[8], ''), nullif(f[9], '')::int, f[10]::jsonb`,
    stage(r, line) {
      const row = r as OrderRow;
      return {
        fields: [
          line,
          row.order_id,
          row.member,
          row.store,
          row.ordered_at.toISOString(),
          row.amount,
          row.discount,
          row.coupon_code,
          row.dwell_seconds,
          JSON.stringify(row.lines.map((l) => ({ sku: l.sku ?? null, category: l.category ?? null, quantity: l.quantity, amount: l.amount, cost: l.cost ?? null }))),
        ],
      };
    },
    references: [
      { bad: 'NOT EXISTS (SELECT 1 FROM member x WHERE x.code = s.member_code)', message: `'会员 ' || s.member_code || ' 不存在：先导入会员'` },
      { bad: 'NOT EXISTS (SELECT 1 FROM store x WHERE x.code = s.store_code)', message: `'门店 ' || s.store_code || ' 不存在'` },
    ],
    async move(db, stage, from, to, now) {
      // The first of two rows with one order id wins, as a resent order is ignored.
      const created = await db.$executeRawUnsafe(
        `INSERT INTO member_order (order_id, member_code, store_code, ordered_at, amount, discount, coupon_code, dwell_seconds, lines, received_at)
         SELECT order_id, member_code, store_code, ordered_at, amount, discount, coupon_code, dwell_seconds, lines, $3
         FROM ${stage} WHERE line > $1 AND line <= $2 ORDER BY line
         ON CONFLICT (order_id) DO NOTHING`,
        from,
        to,
        now,
      );
      return [created, 0];
    },
  },
};

/** Staging tables are named `member_import_<start, ms in base 36>_<random>`: their age is in their name. */
const STAGE_PREFIX = 'member_import_';
/** A staging table older than this belongs to an import that was killed (no import runs a day). */
const ABANDONED_AFTER_MS = 24 * 3_600_000;

/** Drops the staging tables of imports killed before their own cleanup ran. */
async function dropAbandonedStages(db: Db): Promise<void> {
  const tables = await db.$queryRawUnsafe<{ name: string }[]>(`SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE '${STAGE_PREFIX}%'`);
  for (const { name } of tables) {
    const started = parseInt(name.slice(STAGE_PREFIX.length).split('_')[0], 36);
    if (Number.isFinite(started) && Date.now() - started > ABANDONED_AFTER_MS) await db.$executeRawUnsafe(`DROP TABLE IF EXISTS "${name}"`);
  }
}

/**
 * Imports a members or orders CSV of any size in bounded memory, in one read of the file: each
 * row is validated once and the good ones are staged, IMPORT_BATCH at a time, in an unindexed
 * table of this import's own (the next batch is parsed while the last one is inserted). The
 * stores, staff and members the rows name are then checked in SQL over the whole staging table,
 * and nothing is written if any row is bad. Otherwise the staged rows move into place in chunks
 * of MOVE_CHUNK lines, each one idempotent set-based statement (members upserted by code, orders
 * ignored when their id is stored), so an interrupted import is simply run again (the next import
 * drops the staging table a killed one left behind, once it is a day old). Orders' profiles are
 * recomputed once at the end, set-based.
 */
export async function importFile(
  db: Db,
  kind: MemberKind,
  file: string,
  opts: { pepper: string | null; now: () => Date; onProgress?: (p: FileImportProgress) => void; refreshProfiles?: boolean },
): Promise<FileImportOutcome> {
  const started = Date.now();
  const totalBytes = fs.statSync(file).size;
  const staged = STAGED[kind];
  const schema = MEMBER_KINDS[kind];
  const problems: Problem[] = [];
  let problemCount = 0;
  const note = (line: number, message: string) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS_LISTED) problems.push({ line, message });
  };
  await dropAbandonedStages(db);
  const stage = `${STAGE_PREFIX}${Date.now().toString(36)}_${crypto.randomBytes(4).toString('hex')}`;
  // UNLOGGED: the staging rows are thrown away at the end, so writing them to the WAL is waste.
  await db.$executeRawUnsafe(`CREATE UNLOGGED TABLE ${stage} (${staged.columns})`);
  try {
    let rows = 0;
    // Where each staged batch ends, to move them in chunks with a progress bar.
    const marks: { line: number; bytes: number; rows: number }[] = [];
    let inFlight: Promise<Error | null> = Promise.resolve(null);
    try {
      for await (const batch of readCsvBatches(file, IMPORT_BATCH, requiredColumns(kind))) {
        const payload: string[] = [];
        let lastLine = 0;
        for (const { line, record, problem } of batch.rows) {
          if (problem !== undefined) {
            note(line, problem);
            continue;
          }
          const result = schema.safeParse(record);
          if (!result.success) {
            for (const issue of result.error.issues) note(line, issue.message);
            continue;
          }
          const staging = staged.stage(result.data, line, opts.pepper);
          if ('problems' in staging) {
            for (const message of staging.problems) note(line, message);
            continue;
          }
          const fields = staging.fields.map((f) => (f === undefined ? '' : String(f)));
          if (fields.some((f) => SEPARATORS.test(f))) {
            note(line, '含有控制字符（\\x1E 或 \\x1F）');
            continue;
          }
          payload.push(fields.join(FIELD));
          lastLine = line;
        }
        rows += batch.rows.length;
        const failed = await inFlight;
        if (failed) throw failed;
        if (payload.length) {
          // One text parameter, split in SQL: through Prisma about half the cost of a JSON array of objects.
          inFlight = db.$executeRawUnsafe(`INSERT INTO ${stage} SELECT ${staged.fields} FROM unnest(string_to_array($1, E'\\x1E')) r, string_to_array(r, E'\\x1F') f`, payload.join(RECORD)).then(
            () => null,
            (err: Error) => err,
          );
          marks.push({ line: lastLine, bytes: batch.bytes, rows });
        }
        opts.onProgress?.({ phase: 'check', bytes: batch.bytes, totalBytes, rows });
      }
    } catch (err) {
      if (!(err instanceof CsvFormatError)) throw err;
      note(err.line, err.message);
    } finally {
      const failed = await inFlight;
      if (failed) throw failed;
    }
    if (rows === 0 && problemCount === 0) note(1, '文件里没有数据行');

    await db.$executeRawUnsafe(`ANALYZE ${stage}`);
    const referenced = await db.$queryRawUnsafe<{ line: number; message: string; total: bigint }[]>(
      `SELECT line, message, count(*) OVER () AS total FROM (
         ${staged.references.map((r, k) => `SELECT s.line, ${k} AS k, ${r.message} AS message FROM ${stage} s WHERE ${r.bad}`).join(' UNION ALL ')}
       ) p ORDER BY line, k LIMIT ${MAX_PROBLEMS_LISTED}`,
    );
    if (referenced.length) {
      problemCount += Number(referenced[0].total);
      problems.push(...referenced.map((p) => ({ line: p.line, message: p.message })));
    }
    if (problemCount) return { ok: false, problems: problems.sort((a, b) => a.line - b.line).slice(0, MAX_PROBLEMS_LISTED), problemCount };

    await db.$executeRawUnsafe(`CREATE INDEX ON ${stage} (line)`);
    let created = 0;
    let updated = 0;
    let from = 0;
    let chunkStart = 0;
    for (const [i, mark] of marks.entries()) {
      if (mark.rows - chunkStart < MOVE_CHUNK && i < marks.length - 1) continue;
      const [c, u] = await staged.move(db, stage, from, mark.line, opts.now());
      created += c;
      updated += u;
      from = mark.line;
      chunkStart = mark.rows;
      opts.onProgress?.({ phase: 'write', bytes: i === marks.length - 1 ? totalBytes : mark.bytes, totalBytes, rows: mark.rows });
    }
    // Fresh planner statistics: PGlite has no autovacuum, and on PostgreSQL it may not have caught
    // up yet — without them the next queries (profiles, campaigns) plan for an empty table.
    await db.$executeRawUnsafe(`ANALYZE ${staged.table}`);
    if (kind === 'orders' && opts.refreshProfiles !== false) await refreshProfiles(db, opts.now(), null);
    return { ok: true, rows, created, updated, seconds: (Date.now() - started) / 1000 };
  } finally {
    await db.$executeRawUnsafe(`DROP TABLE IF EXISTS ${stage}`);
  }
}
