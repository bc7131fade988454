import fs from 'node:fs';
import { parse } from 'csv-parse';
import type { Db } from '../../db';
import { checkMemberReferences, checkOrderReferences, writeMembers, writeOrders, type Parsed, type Problem } from './ingest';
import { refreshProfiles } from './profiles';
import { MEMBER_KINDS, type MemberKind, type MemberRow, type OrderRow } from './rows';

/** Rows per insert: big enough to amortise a round trip, small enough to keep memory flat. */
export const IMPORT_BATCH = 5000;
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
  const rows = validate(kind, data.map((record, i) => ({ line: i + 1, record })), problems);
  if (kind === 'members') await checkMemberReferences(db, rows as Parsed<MemberRow>[], pepper, problems);
  else await checkOrderReferences(db, rows as Parsed<OrderRow>[], problems);
  if (problems.length) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return db.$transaction(
    async (tx) => {
      if (kind === 'members') {
        const counts = await writeMembers(tx, (rows as Parsed<MemberRow>[]).map((r) => r.row), pepper, now);
        return { ok: true as const, rows: rows.length, ...counts };
      }
      const written = await writeOrders(tx, (rows as Parsed<OrderRow>[]).map((r) => r.row), now);
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
  phase: 'check' | 'write';
  /** Bytes of the file read so far, of `totalBytes`. */
  bytes: number;
  totalBytes: number;
  rows: number;
}

export type FileImportOutcome =
  | { ok: true; rows: number; created: number; updated: number; seconds: number }
  | { ok: false; problems: Problem[]; problemCount: number };

/**
 * Imports a members or orders CSV of any size in bounded memory: the file is streamed twice —
 * first every row is checked (fields and, batch by batch, the stores, staff and members it names)
 * and nothing is written if any row is bad; then it is written in batches of IMPORT_BATCH rows,
 * each an idempotent set-based insert (members upserted by code, orders ignored when their id is
 * stored), so an interrupted import is simply run again. Orders' profiles are recomputed once at
 * the end, set-based, rather than per batch.
 */
export async function importFile(db: Db, kind: MemberKind, file: string, opts: { pepper: string | null; now: () => Date; onProgress?: (p: FileImportProgress) => void; refreshProfiles?: boolean }): Promise<FileImportOutcome> {
  const started = Date.now();
  const totalBytes = fs.statSync(file).size;
  const problems: Problem[] = [];
  let problemCount = 0;
  const note = (found: Problem[]) => {
    problemCount += found.length;
    for (const p of found) if (problems.length < MAX_PROBLEMS_LISTED) problems.push(p);
  };
  let rows = 0;
  try {
    await streamBatches(file, (bytes, n) => opts.onProgress?.({ phase: 'check', bytes, totalBytes, rows: n }), async (records) => {
    const found: Problem[] = [];
    const parsed = validate(kind, records, found);
    if (kind === 'members') await checkMemberReferences(db, parsed as Parsed<MemberRow>[], opts.pepper, found);
    else await checkOrderReferences(db, parsed as Parsed<OrderRow>[], found);
    rows += records.length;
    note(found.sort((a, b) => a.line - b.line));
  });
  } catch (err) {
    const e = err as Error & { lines?: number; code?: string };
    if (!e.code?.startsWith('CSV_')) throw err;
    note([{ line: e.lines ?? 1, message: `CSV 格式错误：${e.message}` }]);
  }
  if (rows === 0 && problemCount === 0) note([{ line: 1, message: '文件里没有数据行' }]);
  if (problemCount) return { ok: false, problems, problemCount };

  let created = 0;
  let updated = 0;
  await streamBatches(file, (bytes, n) => opts.onProgress?.({ phase: 'write', bytes, totalBytes, rows: n }), async (records) => {
    const parsed = validate(kind, records, []);
    if (kind === 'members') {
      const counts = await writeMembers(db, (parsed as Parsed<MemberRow>[]).map((r) => r.row), opts.pepper, opts.now());
      created += counts.created;
      updated += counts.updated;
    } else {
      created += (await writeOrders(db, (parsed as Parsed<OrderRow>[]).map((r) => r.row), opts.now())).created;
    }
  });
  if (kind === 'orders' && opts.refreshProfiles !== false) await refreshProfiles(db, opts.now(), null);
  return { ok: true, rows, created, updated, seconds: (Date.now() - started) / 1000 };
}

/** Streams a CSV in batches; the parser pauses while a batch is written, so memory stays flat. */
async function streamBatches(file: string, progress: (bytes: number, rows: number) => void, handle: (records: { line: number; record: unknown }[]) => Promise<void>): Promise<void> {
  const parser = fs.createReadStream(file).pipe(
    parse({ columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: false }),
  );
  let batch: { line: number; record: unknown }[] = [];
  let rows = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number; bytes: number } }>) {
    batch.push({ line: info.lines, record });
    if (batch.length >= IMPORT_BATCH) {
      await handle(batch);
      rows += batch.length;
      progress(info.bytes, rows);
      batch = [];
    }
  }
  if (batch.length) {
    await handle(batch);
    rows += batch.length;
  }
  progress(fs.statSync(file).size, rows);
}
