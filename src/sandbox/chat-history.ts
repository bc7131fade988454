import type { Db } from '../db';
import type { Prisma } from '../generated/prisma/client';
import type { FakeRecord, FakeWecom } from './fake-wecom';

/** A line a visitor sent on the sandbox page, as its chat shows it. */
export interface VisitorLine {
  user: string;
  at: Date;
  kind: 'text' | 'image' | 'click' | 'scan' | 'card';
  text: string;
  mediaId?: string;
  /** The callback's HTTP status: what the edge answered WeCom. */
  status: number;
}

export interface SandboxChat {
  lines: VisitorLine[];
  addLine(line: VisitorLine): Promise<void>;
}

/**
 * The sandbox's chat history, kept in sandbox_chat_entry so a restart on the same database shows
 * it again: the visitors' lines, and everything the fake WeCom records (messages delivered, cards
 * rewritten, media, mass messages to customers for the 会员 panel), saved before the fake answers
 * the call. The fake, which lives in memory, is
 * rebuilt from them here; `--reset` empties the table with the rest.
 */
export async function openSandboxChat(db: Db, fake: FakeWecom): Promise<SandboxChat> {
  const entries = await db.sandboxChatEntry.findMany({ orderBy: { id: 'asc' } });
  fake.restore(entries.filter((e) => e.kind !== 'visitor').map((e) => e.data as unknown as FakeRecord));
  fake.saveRecordsTo(async (records) => {
    await db.sandboxChatEntry.createMany({ data: records.map((r) => ({ kind: r.kind, at: recordTime(r), data: r as unknown as Prisma.InputJsonObject })) });
  });
  const lines = entries.filter((e) => e.kind === 'visitor').map((e) => ({ ...(e.data as unknown as VisitorLine), at: e.at }));
  return {
    lines,
    async addLine(line) {
      await db.sandboxChatEntry.create({ data: { kind: 'visitor', at: line.at, data: { ...line, at: line.at.toISOString() } as unknown as Prisma.InputJsonObject } });
      lines.push(line);
    },
  };
}

function recordTime(r: FakeRecord): Date {
  if (r.kind === 'delivered') return new Date(r.message.at);
  if (r.kind === 'media') return new Date(r.createdAt);
  return new Date(r.at);
}
