import crypto from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import type { BotContext } from '../../bot/context';
import type { DbTx } from '../../db';
import type { Handover, HandoverLog, Prisma } from '../../generated/prisma/client';

/** The previous hash of a store's first entry. */
export const GENESIS = '0'.repeat(64);

export interface LogStep {
  storeCode: string;
  handoverId: bigint;
  /** started | answered | submitted | incoming_named | confirmed | disputed | completed | resolved … */
  step: string;
  actor: string | null;
  inboundId: string | null;
  at: Date;
  data: Record<string, unknown>;
}

/**
 * What the hash covers: every field of the entry as canonical JSON (sorted keys, ISO time,
 * ids as strings) and the previous entry's hash. Changing any stored field, reordering entries
 * or deleting one breaks the chain from there on.
 */
export function entryHash(entry: Omit<HandoverLog, 'hash' | 'data'> & { data: unknown }): string {
  const canonical = stableStringify({
    storeCode: entry.storeCode,
    seq: entry.seq,
    handoverId: String(entry.handoverId),
    step: entry.step,
    actor: entry.actor,
    inboundId: entry.inboundId,
    at: entry.at.toISOString(),
    data: entry.data,
    prevHash: entry.prevHash,
  });
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

/**
 * Appends one entry to its store's chain in the caller's transaction. Appends of one store are
 * serialised by a transaction-scoped advisory lock, so two handovers finishing at once never
 * link to the same predecessor (the (store, seq) key would refuse it anyway).
 */
export async function appendLog(tx: DbTx, step: LogStep): Promise<HandoverLog> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`handover_log:${step.storeCode}`}))`;
  const last = await tx.handoverLog.findFirst({ where: { storeCode: step.storeCode }, orderBy: { seq: 'desc' } });
  // Round-trip the data through JSON now, so the hash covers exactly what the database returns later.
  const data = JSON.parse(JSON.stringify(step.data)) as Prisma.InputJsonObject;
  const entry = { ...step, data, seq: (last?.seq ?? 0) + 1, prevHash: last?.hash ?? GENESIS, at: new Date(step.at.getTime()) };
  return tx.handoverLog.create({ data: { ...entry, hash: entryHash(entry) } });
}

/** A step the sender of `ctx`'s message took in a handover (started it, answered, confirmed, disputed…): theirs, by that message. */
export function logSendersStep(tx: DbTx, ctx: Pick<BotContext, 'message'>, handover: Pick<Handover, 'storeCode' | 'id'>, step: string, at: Date, data: Record<string, unknown>): Promise<HandoverLog> {
  return appendLog(tx, { storeCode: handover.storeCode, handoverId: handover.id, step, actor: ctx.message.fromUser, inboundId: ctx.message.id, at, data });
}

export type ChainCheck = { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; reason: string };

/** Recomputes a store's chain from the start; names the first entry that does not match. */
export async function verifyChain(db: DbTx, storeCode: string): Promise<ChainCheck> {
  const entries = await db.handoverLog.findMany({ where: { storeCode }, orderBy: { seq: 'asc' } });
  let prev = GENESIS;
  for (const [i, entry] of entries.entries()) {
    if (entry.seq !== i + 1) return { ok: false, entries: entries.length, brokenAt: i + 1, reason: `第 ${i + 1} 条记录缺失` };
    if (entry.prevHash !== prev) return { ok: false, entries: entries.length, brokenAt: entry.seq, reason: `第 ${entry.seq} 条与上一条不相连` };
    if (entryHash(entry) !== entry.hash) return { ok: false, entries: entries.length, brokenAt: entry.seq, reason: `第 ${entry.seq} 条内容被改过` };
    prev = entry.hash;
  }
  return { ok: true, entries: entries.length };
}
