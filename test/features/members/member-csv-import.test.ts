import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../../src/db';
import { importFile, IMPORT_BATCH, type FileImportProgress } from '../../../src/features/members/import';
import { openTestDatabase } from '../../helpers/database';

/** The admin CLI's streaming CSV import: read once into a staging table, checked whole, then moved in chunks; idempotent. */
let database: Database;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'members-import-'));
const now = () => new Date('2026-11-25T06:00:00Z');
beforeAll(async () => {
  database = await openTestDatabase();
  await database.prisma.store.create({ data: { code: 'S1', name: '店' } });
});
afterAll(async () => {
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function csv(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `\uFEFF${lines.join('\n')}\n`);
  return file;
}

it('reports every bad row by its line and writes nothing', async () => {
  const file = csv('members-bad.csv', ['code,name,phone,home_store,marketing', 'M1,甲,13800000001,S1,是', ',乙,,S1,', 'M3,丙,12ab,S1,也许', 'M4,丁,,S9,']);
  const outcome = await importFile(database.prisma, 'members', file, { pepper: 'pepper-0123456789abcdef', now });
  expect(outcome).toEqual({
    ok: false,
    problemCount: 4,
    problems: [
      { line: 3, message: '缺少会员编号' },
      { line: 4, message: '手机号格式不对' },
      { line: 4, message: 'marketing 只能是 是/否（同意/退订）' },
      { line: 5, message: '门店 S9 不存在' },
    ],
  });
  expect(await database.prisma.member.count()).toBe(0);

  const broken = csv('orders-broken.csv', ['order_id,member,store,ordered_at,amount', 'O1,M1,S1,2026-11-01T10:00:00+08:00,"12']);
  const answer = await importFile(database.prisma, 'orders', broken, { pepper: null, now });
  expect(answer.ok).toBe(false);
  expect(!answer.ok && answer.problems[0].message).toMatch(/^CSV 格式错误/);
});

it('streams a file bigger than a batch, reports progress, and a second run changes nothing', async () => {
  const rows = IMPORT_BATCH + 7;
  const file = csv('members.csv', ['code,name,home_store', ...Array.from({ length: rows }, (_, i) => `M${i},会员${i},S1`)]);
  const progress: FileImportProgress[] = [];
  const first = await importFile(database.prisma, 'members', file, { pepper: null, now, onProgress: (p) => progress.push(p) });
  expect(first).toMatchObject({ ok: true, rows, created: rows, updated: 0 });
  expect(progress.map((p) => p.phase)).toEqual(['check', 'check', 'write']);
  expect(progress.at(-1)).toMatchObject({ bytes: fs.statSync(file).size, totalBytes: fs.statSync(file).size, rows });
  expect(await importFile(database.prisma, 'members', file, { pepper: null, now })).toMatchObject({ ok: true, created: 0, updated: rows });

  const orders = csv('orders.csv', ['order_id,member,store,ordered_at,amount,lines', 'O1,M1,S1,2026-11-20T10:00:00+08:00,18,D01:甜品:1:18:6', 'O2,M1,S1,1763600000,30,T01:奶茶:2:30']);
  expect(await importFile(database.prisma, 'orders', orders, { pepper: null, now })).toMatchObject({ ok: true, created: 2 });
  expect(await importFile(database.prisma, 'orders', orders, { pepper: null, now })).toMatchObject({ ok: true, created: 0 });
  expect(await database.prisma.memberProfile.findUniqueOrThrow({ where: { memberCode: 'M1' } })).toMatchObject({ ordersTotal: 2 });
});

it('reads quoted fields, reports a row with the wrong number of fields, and lets the later of two rows for one member win', async () => {
  const file = csv('members-quoted.csv', ['code,name,home_store', 'Q1,"王, 小""二""",S1', 'Q2,"两行\r\n的名字",S1', 'Q3,丙', 'Q4,"未闭合"x,S1']);
  expect(await importFile(database.prisma, 'members', file, { pepper: null, now })).toEqual({
    ok: false,
    problemCount: 3,
    problems: [
      { line: 5, message: 'CSV 格式错误：表头有 3 列，这一行有 2 列' },
      { line: 6, message: 'CSV 格式错误：引号闭合后面只能是逗号' },
      // csv-parse cannot find the next record after a broken quote: the rest is one unreadable record.
      { line: 6, message: 'CSV 格式错误：引号没有闭合，从这里到文件末尾都无法读取' },
    ],
  });
  const good = csv('members-quoted-good.csv', ['code,name,home_store', 'Q1,"王, 小""二""",S1', 'Q2,"两行', '的名字",S1', 'Q1,王小二,']);
  expect(await importFile(database.prisma, 'members', good, { pepper: null, now })).toMatchObject({ ok: true, rows: 3, created: 2 });
  const stored = await database.prisma.member.findMany({ where: { code: { in: ['Q1', 'Q2'] } }, orderBy: { code: 'asc' } });
  expect(stored.map((m) => [m.code, m.name, m.homeStore])).toEqual([
    ['Q1', '王小二', null],
    ['Q2', '两行\n的名字', 'S1'],
  ]);
});

it("drops the staging table a killed import left behind once it is a day old, and leaves a running one's alone", async () => {
  const abandoned = `member_import_${(Date.now() - 25 * 3_600_000).toString(36)}_dead0001`;
  const running = `member_import_${(Date.now() - 3_600_000).toString(36)}_live0001`;
  for (const name of [abandoned, running]) await database.prisma.$executeRawUnsafe(`CREATE UNLOGGED TABLE ${name} (line int)`);
  const file = csv('members-after-crash.csv', ['code,name', 'K1,甲']);
  expect(await importFile(database.prisma, 'members', file, { pepper: null, now })).toMatchObject({ ok: true, created: 1 });
  const left = await database.prisma.$queryRawUnsafe<{ tablename: string }[]>(
    `SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'member_import_%' ORDER BY 1`,
  );
  expect(left.map((t) => t.tablename)).toEqual([running]);
  await database.prisma.$executeRawUnsafe(`DROP TABLE ${running}`);
});

it('refuses a file whose header lacks a required column at once, naming the columns, and writes nothing', async () => {
  const lines = ['order_id,member,store,amount'];
  for (let i = 0; i < 3 * IMPORT_BATCH; i++) lines.push(`H${i},M1,S1,18`);
  const file = csv('orders-no-time.csv', lines);
  const progress: FileImportProgress[] = [];
  expect(await importFile(database.prisma, 'orders', file, { pepper: null, now, onProgress: (p) => progress.push(p) })).toEqual({
    ok: false,
    problemCount: 1,
    problems: [{ line: 1, message: '表头缺少必需的列：ordered_at（这个文件的表头：order_id, member, store, amount）' }],
  });
  expect(progress).toEqual([]); // stopped at the header, not after reading every row
  expect(await database.prisma.memberOrder.count({ where: { orderId: { startsWith: 'H' } } })).toBe(0);
});
