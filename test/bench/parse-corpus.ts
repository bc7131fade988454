import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../../src/db';
import { helpFeature } from '../../src/features/help';
import { currentRepairSetup, equipmentNames, handoverFeature } from '../../src/features/handover';
import { importChecklist } from '../../src/features/handover/templates';
import { importMasterData } from '../../src/features/masterdata/import';
import { stockFeature } from '../../src/features/stock';
import { matchStore } from '../../src/features/stock/stores';
import { loadConfig } from '../../src/config';
import { bookMoves } from '../../src/features/stock/booking';
import { tasksFeature } from '../../src/features/tasks';
import { workOrdersFeature } from '../../src/features/workorders';
import { visibleText } from '../../src/platform/sender';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { textMessage } from '../helpers/wecom-callback';
import { parseStockCommand as previousParse, type CatalogueSku } from './parse-previous-release';

/**
 * The staff-message corpus of issue 14 (test/fixtures/parse-corpus.tsv) sent through the
 * encrypted callback to a whole bot, each message judged by what it did to the database: the
 * moves booked, the count entries made, the handover item answered, or nothing at all.
 * Used by `npm run bench:parse` (beside the previous release's parser) and by the corpus test.
 */

export const CORPUS_FILE = path.join(__dirname, '..', 'fixtures', 'parse-corpus.tsv');

type Kind = 'move' | 'count' | 'query' | 'handover' | 'nothing';
type Line = [kind: string, sku: string, quantity: number];
export interface Expectation {
  kind: Kind;
  /** Moves (`receipt CREAM 24`) or count entries (`count MILK 63`), sorted. */
  lines: Line[];
  sku?: string;
  number?: number;
}
export interface CorpusEntry {
  user: string;
  text: string;
  expected: Expectation;
  /** Line number in the file, for the report. */
  at: number;
}
export interface Outcome {
  entry: CorpusEntry;
  ok: boolean;
  /** What happened, when it was not what was expected. */
  got?: string;
}

export function loadCorpus(file = CORPUS_FILE): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  let user = '';
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      if (!raw.trim() || raw.startsWith('#')) return;
      if (raw.startsWith('@')) return void (user = raw.slice(1).trim());
      const tab = raw.indexOf('\t');
      if (tab < 0 || !user) throw new Error(`${file}:${i + 1}: expected "<outcome>\\t<message>" after an @user line`);
      entries.push({ user, text: raw.slice(tab + 1), expected: readExpectation(raw.slice(0, tab), `${file}:${i + 1}`), at: i + 1 });
    });
  return entries;
}

function readExpectation(text: string, where: string): Expectation {
  const [word, ...rest] = text.trim().split(/\s+/);
  if (word === 'nothing') return { kind: 'nothing', lines: [] };
  if (word === 'query') return { kind: 'query', lines: [], sku: rest[0] };
  if (word === 'handover') return { kind: 'handover', lines: [], number: Number(rest[0]) };
  const lines = text.split(',').map((part): Line => {
    const [kind, sku, quantity] = part.trim().split(/\s+/);
    if (!['receipt', 'waste', 'return', 'transfer_out', 'count'].includes(kind) || !sku || !Number.isFinite(Number(quantity))) throw new Error(`${where}: cannot read the outcome "${part}"`);
    return [kind, sku, Number(quantity)];
  });
  return { kind: lines[0][0] === 'count' ? 'count' : 'move', lines: sortLines(lines) };
}

const sortLines = (lines: Line[]) => [...lines].sort((a, b) => (a.join() < b.join() ? -1 : 1));
const show = (lines: Line[]) => lines.map((l) => l.join(' ')).join(', ');

/** A tea-and-bakery store's catalogue: pack units, aliases, codes, weighed goods (斤, kg). */
const SKUS = `code,name,aliases,category,base_unit,pack_units,cost_price
MILK,牛奶,鲜奶|纯牛奶,乳品,盒,箱=12,6.5
CREAM,奶油,淡奶油,乳品,盒,箱=12,28
CHEESE,芝士奶盖粉,奶盖粉,乳品,袋,箱=10,45
MANGO,芒果,,水果,个,箱=20,4.5
LEMON,柠檬,,水果,斤,箱=20,6
STRAW,草莓,,水果,盒,箱=8,18
PEARL,珍珠,波霸,小料,袋,箱=20,12.8
COCO,椰果,,小料,袋,箱=12,9
TEA,红茶,红茶叶,茶叶,包,箱=50,22
JASMINE,茉莉绿茶,绿茶,茶叶,包,箱=50,25
MATCHA,抹茶粉,,茶叶,袋,,60
SYRUP,果糖,糖浆,辅料,瓶,箱=6,15
SUGAR,白砂糖,砂糖,辅料,kg,袋=25,6
ICE,冰块,,辅料,袋,,8
CUP,500ml杯,杯子,包材,个,条=50|箱=1000,0.3
STRAWS,吸管,,包材,包,箱=20,5
TOAST,吐司,,烘焙,条,,9
FLOUR,面粉,高筋粉,烘焙,袋,,85
BUTTER,黄油,,烘焙,块,箱=40,35
EGG,鸡蛋,,烘焙,个,板=30|箱=360,0.8
`;

/** Enough on the shelf of 一店 that no waste, return or transfer of the corpus runs out. */
const OPENING_STOCK = 20_000;

export interface CorpusBot {
  h: Harness;
  clock: TestClock;
  run(entries: CorpusEntry[]): Promise<Outcome[]>;
  stop(): Promise<void>;
}

/** A bot with the corpus's stores, staff, catalogue, opening stock, a count open in 二店 and a checklist for 三店. */
export async function startCorpusBot(opts: { database?: Database } = {}): Promise<CorpusBot> {
  const clock = new TestClock(Date.parse('2026-11-25T01:00:00Z')); // 09:00 in Shanghai
  const h = await startHarness({ features: [stockFeature, handoverFeature, tasksFeature, workOrdersFeature(currentRepairSetup, equipmentNames), helpFeature], clock, database: opts.database });
  const db = h.app.db;
  const load = async (kind: Parameters<typeof importMasterData>[1], csv: string) => {
    const outcome = await importMasterData(db, kind, csv, 'csv');
    if (!outcome.ok) throw new Error(`${kind}: ${JSON.stringify(outcome.problems)}`);
  };
  await load('stores', 'code,name,aliases,area\nS1,一店 · 人民路,一店|人民路,华东区\nS2,二店 · 滨江路,二店|滨江路,华东区\nS3,三店 · 中山路,三店,华东区\n');
  await load(
    'staff',
    'userid,name,store,role,hire_date\nxiaomei,张小美,S1,店员,2024-05-10\nboss,王店长,S1,店长,2021-06-01\nchenjing,陈静,S2,店员,2023-03-01\nwu,吴店长,S2,店长,2020-10-12\nho,何雨,S3,店员,2022-08-01\nzhao,赵店长,S3,店长,2019-04-01\n',
  );
  await load('skus', SKUS);
  const skus = await db.sku.findMany();
  const now = clock.now();
  await db.$transaction((tx) =>
    bookMoves(
      tx,
      loadConfig({}),
      skus.map((s) => ({
        storeCode: 'S1',
        skuCode: s.code,
        kind: 'count_adjustment' as const,
        quantity: OPENING_STOCK,
        occurredAt: now,
        recordedAt: now,
        source: 'count' as const,
        externalId: `opening:S1:${s.code}`,
      })),
      new Map(skus.map((s) => [s.code, { baseUnit: s.baseUnit, allowNegative: s.allowNegative }])),
      now,
    ),
  );
  const checklist = await importChecklist(
    db,
    JSON.stringify({
      store: 'S3',
      name: '三店交班',
      items: [
        { key: 'cash_drawer', label: '钱箱现金', kind: 'number', unit: '元', expected: 500, tolerance: 10, cash: true },
        { key: 'notes', label: '交班备注', kind: 'text' },
      ],
    }),
    now,
  );
  if (!checklist.ok) throw new Error(checklist.problems.join('; '));

  const say = async (user: string, text: string) => {
    clock.advance(61_000); // a minute apart: every reply goes out at once, under WeCom's per-member limit
    const before = h.fake.inbox(user).length;
    await h.deliver(textMessage(h.keys, user, text, { createTime: Math.floor(clock.now().getTime() / 1000) }), { timestamp: String(Math.floor(clock.now().getTime() / 1000)) });
    await h.settle();
    return h.fake.inbox(user).slice(before);
  };
  const opened = await say('wu', '开始盘点');
  if (!(await db.stockCount.findFirst({ where: { storeCode: 'S2', status: 'open' } }))) throw new Error(`开始盘点 did not open a count: ${JSON.stringify(opened.map((m) => m.body))}`);

  const lastId = async () => ({
    move: (await db.stockMove.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0n,
    entry: (await db.stockCountEntry.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0n,
  });
  const skuName = new Map(skus.map((s) => [s.code, s.name]));

  async function judge(entry: CorpusEntry): Promise<Outcome> {
    const mark = await lastId();
    let replies: Awaited<ReturnType<typeof say>>;
    let cash: number | null | undefined;
    if (entry.user === 'ho') {
      const start = await say('ho', '交班');
      if (!JSON.stringify(start.map((m) => m.body)).includes('钱箱现金')) return { entry, ok: false, got: `交班 did not ask for 钱箱现金: ${JSON.stringify(start.at(-1)?.body)}` };
      replies = await say('ho', entry.text);
      const handover = await db.handover.findFirstOrThrow({ where: { outgoingUserid: 'ho' }, orderBy: { id: 'desc' }, include: { items: true } });
      const answer = handover.items.find((i) => i.itemKey === 'cash_drawer')?.answer as { number?: number } | null;
      cash = answer?.number ?? null;
      await say('ho', '取消交班');
    } else replies = await say(entry.user, entry.text);
    const moves = sortLines((await db.stockMove.findMany({ where: { id: { gt: mark.move } } })).map((m) => [m.kind, m.skuCode, Math.abs(m.quantity.toNumber())]));
    const counted = sortLines((await db.stockCountEntry.findMany({ where: { id: { gt: mark.entry } } })).map((e) => ['count', e.skuCode, e.counted.toNumber()]));
    const recorded = [...moves, ...counted];
    const said = replies.map((m) => visibleText(m.body.content ?? JSON.stringify(m.body.main_title ?? m.body))).join(' / ');
    const happened = `${recorded.length ? `booked ${show(recorded)}` : 'booked nothing'}${cash != null ? `, cash ${cash}` : ''}; said: ${said || '(nothing)'}`;
    const e = entry.expected;
    let ok: boolean;
    switch (e.kind) {
      case 'move':
      case 'count':
        ok = show(recorded) === show(e.lines);
        break;
      case 'query':
        ok = recorded.length === 0 && replies.some((m) => visibleText(m.body.content).includes(skuName.get(e.sku!)!) && visibleText(m.body.content).includes('现有'));
        break;
      case 'handover':
        ok = recorded.length === 0 && cash === e.number;
        break;
      case 'nothing':
        ok = recorded.length === 0 && cash == null && replies.length > 0;
        break;
    }
    return ok ? { entry, ok } : { entry, ok, got: happened };
  }

  return {
    h,
    clock,
    async run(entries) {
      const outcomes: Outcome[] = [];
      for (const entry of entries) outcomes.push(await judge(entry));
      return outcomes;
    },
    stop: () => h.stop(),
  };
}

/**
 * What the previous release's parser made of each stock message: the moves or count entry its
 * bot booked (it booked whatever the parser read, as read), or nothing. Handover answers were not
 * read by that parser (the previous release answered 五百 with a stock hint): they are left out.
 */
export async function judgePrevious(entries: CorpusEntry[], db: Database['prisma']): Promise<Outcome[]> {
  const skus = await db.sku.findMany();
  const catalogue: CatalogueSku[] = skus.map((s) => ({ code: s.code, name: s.name, aliases: s.aliases, baseUnit: s.baseUnit, packUnits: s.packUnits as { unit: string; factor: number }[] }));
  const stores = await db.store.findMany();
  const staffStore: Record<string, string> = { xiaomei: 'S1', chenjing: 'S2' };
  const countOpen = new Set(['S2']);
  return entries
    .filter((entry) => entry.user !== 'ho')
    .map((entry) => {
      const cmd = previousParse(entry.text, catalogue);
      let recorded: Line[] = [];
      let query: string | undefined;
      let reversed = false;
      if (cmd?.kind === 'undo') reversed = true;
      else if (cmd?.kind === 'query') query = cmd.sku.kind === 'found' ? cmd.sku.sku.code : undefined;
      else if (cmd && cmd.kind !== 'incomplete' && cmd.sku.kind === 'found' && cmd.baseQuantity !== null && (cmd.amount > 0 || (cmd.kind === 'count' && cmd.amount === 0))) {
        const own = staffStore[entry.user];
        // The store as that release matched it (the same matchStore, then in transfer-commands.ts).
        const to = cmd.toStoreText ? matchStore(cmd.toStoreText, stores) : null;
        const allowed = cmd.kind === 'transfer' ? to?.kind === 'found' && to.store.code !== own : cmd.kind === 'count' ? countOpen.has(own) : true;
        if (allowed) recorded = [[cmd.kind === 'transfer' ? 'transfer_out' : cmd.kind, cmd.sku.sku.code, cmd.baseQuantity]];
      }
      const e = entry.expected;
      const ok = e.kind === 'nothing' ? recorded.length === 0 && !reversed : e.kind === 'query' ? query === e.sku && recorded.length === 0 : show(recorded) === show(e.lines);
      return ok ? { entry, ok } : { entry, ok, got: reversed ? 'undid the last move' : recorded.length ? `booked ${show(recorded)}` : 'booked nothing' };
    });
}

export interface Accuracy {
  valid: { right: number; total: number };
  invalid: { right: number; total: number };
}

/** Valid: booked (or answered) exactly right. Invalid: refused, with nothing booked. */
export function accuracy(outcomes: Outcome[]): Accuracy {
  const tally = (list: Outcome[]) => ({ right: list.filter((o) => o.ok).length, total: list.length });
  return { valid: tally(outcomes.filter((o) => o.entry.expected.kind !== 'nothing')), invalid: tally(outcomes.filter((o) => o.entry.expected.kind === 'nothing')) };
}

export const share = ({ right, total }: { right: number; total: number }) => (total === 0 ? 1 : right / total);
