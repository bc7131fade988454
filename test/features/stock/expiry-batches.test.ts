import crypto from 'node:crypto';
import { signSync, syncSigningString } from '../../../src/edge/sync';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { expiringSection } from '../../../src/features/stock/batches/console';
import { visibleText } from '../../../src/platform/sender';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/**
 * Shelf life and expiry (效期) through the encrypted callback and the sync API: every move in makes
 * a batch with its expiry (typed, posted, or from the SKU's shelf life), moves out take the batch
 * that expires first, an undo gives back, the batches add up to the book, the morning job tells
 * the store once per batch, and `临期` / `查库存` show it.
 */
const POS_SECRET = 'pos-secret-0123456789';
const ERP_SECRET = 'erp-secret-0123456789';
const clock = new TestClock(Date.parse('2026-12-04T01:00:00Z')); // Friday 4 December, 09:00 in Shanghai
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock, env: { SYNC_KEYS: `pos:${POS_SECRET},erp:${ERP_SECRET}`, STOCK_EXPIRY_WARN_DAYS: '2' } });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name\nS1,一店\nS2,二店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nliqiang,李强,S1,店员\nboss,王店长,S1,店长\nchenjing,陈静,S2,店员\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,category,base_unit,pack_units,cost_price,shelf_life_days\nMILK,牛奶,乳品,盒,箱=12,6.5,7\nCREAM,奶油,乳品,盒,箱=12,28,\n', 'csv');
}, 120_000);
afterAll(() => h.stop());
// WeCom lets one member receive 30 messages a minute: each step is a minute apart.
beforeEach(() => clock.advance(61_000));

const say = async (user: string, text: string) => visibleText((await chat.say(user, text)).body.content);
/** A SKU's batches in S1, oldest expiry first: [expires on, quantity left]. */
const batches = async (sku: string) =>
  (await h.app.db.stockBatch.findMany({ where: { storeCode: 'S1', skuCode: sku }, orderBy: [{ expiresOn: 'asc' }, { id: 'asc' }] })).map((b) => [
    b.expiresOn?.toISOString().slice(0, 10) ?? null,
    b.remaining.toNumber(),
  ]);
const batched = async (sku: string) => (await batches(sku)).reduce((sum, [, left]) => sum + (left as number), 0);

function post(document: string, docs: unknown, source: 'pos' | 'erp') {
  const body = JSON.stringify(docs);
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  const nonce = crypto.randomUUID();
  const path = `/api/sync/${document}`;
  const secret = source === 'pos' ? POS_SECRET : ERP_SECRET;
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-sync-source': source,
      'x-sync-timestamp': timestamp,
      'x-sync-nonce': nonce,
      'x-sync-signature': signSync(secret, syncSigningString(timestamp, nonce, 'POST', path, body)),
    },
  });
}

const runJob = async (name: string) => {
  await h.app.scheduler.runJob(
    h.app.bot.jobs.find((j) => j.name === name)!,
    clock.now(),
  );
  await h.settle();
};

it('takes the batch that expires first: receipts → a POS sale → waste → a count lower than the book', async () => {
  const card = await chat.say('xiaomei', '入库 牛奶 2箱 效期 12月20日');
  expect(card.body).toMatchObject({ main_title: { title: '已入库 牛奶 2箱（24盒）', desc: '效期至 12月20日' } });
  clock.advance(61_000);
  // No expiry typed: the day it came in plus milk's shelf life of 7 days.
  await chat.say('xiaomei', '入库 牛奶 1箱');
  clock.advance(61_000);
  await chat.say('xiaomei', '入库 牛奶 1箱 到期 2026-12-06');
  expect(await batches('MILK')).toEqual([
    ['2026-12-06', 12],
    ['2026-12-11', 12],
    ['2026-12-20', 24],
  ]);

  const sale = await post('sales', [{ id: 'T-1', store: 'S1', occurred_at: '2026-12-04T09:30:00+08:00', lines: [{ sku: 'MILK', quantity: 10 }] }], 'pos');
  expect(sale.status).toBe(200);
  expect(await batches('MILK')).toEqual([
    ['2026-12-06', 2],
    ['2026-12-11', 12],
    ['2026-12-20', 24],
  ]);

  await chat.say('liqiang', '报损 牛奶 5盒 过期');
  expect(await batches('MILK')).toEqual([
    ['2026-12-06', 0],
    ['2026-12-11', 9],
    ['2026-12-20', 24],
  ]);

  await chat.say('boss', '开始盘点 乳品');
  clock.advance(61_000);
  await chat.say('xiaomei', '盘点 牛奶 30盒');
  clock.advance(61_000);
  await chat.say('boss', '结束盘点');
  const approve = h.fake.inbox('boss').at(-1)!;
  clock.advance(61_000);
  expect(visibleText((await chat.tap('boss', approve, '确认调整')).body.content)).toContain('已确认');
  expect(await chat.onHand('S1', 'MILK')).toBe(30);
  expect(await batches('MILK')).toEqual([
    ['2026-12-06', 0],
    ['2026-12-11', 6],
    ['2026-12-20', 24],
  ]);
  expect(await say('xiaomei', '查库存 牛奶')).toBe('一店 牛奶 现有 30盒（约 2.5箱）；最近效期 12月11日（6盒）');
});

it('gives back what an undone waste took, and takes back what an undone receipt brought', async () => {
  await chat.say('liqiang', '报损 牛奶 2盒 压坏了');
  expect((await batches('MILK'))[1]).toEqual(['2026-12-11', 4]);
  clock.advance(61_000);
  expect(await say('liqiang', '撤销')).toContain('已撤销：报损 牛奶 2盒');
  expect((await batches('MILK'))[1]).toEqual(['2026-12-11', 6]);
  expect(await batched('MILK')).toBe(await chat.onHand('S1', 'MILK'));

  await chat.say('xiaomei', '入库 奶油 1箱 效期 12月25日');
  expect(await batches('CREAM')).toEqual([['2026-12-25', 12]]);
  clock.advance(61_000);
  await chat.say('xiaomei', '撤销');
  expect(await batches('CREAM')).toEqual([['2026-12-25', 0]]);
  expect(await chat.onHand('S1', 'CREAM')).toBe(0);
});

it('refuses an expiry on a move out and a day that does not exist, booking nothing', async () => {
  expect(await say('xiaomei', '报损 牛奶 1盒 效期 12月20日')).toBe('效期只在入库时记；报损会先扣最早到期的批次，不用写效期。');
  clock.advance(61_000);
  expect(await say('xiaomei', '入库 牛奶 1箱 效期 2月30日')).toBe('「效期 2月30日」是哪一天？效期请写成：效期 12月20日 或 到期 2026-12-20，每项最多一个。');
  expect(await chat.onHand('S1', 'MILK')).toBe(30);
});

it('takes a synced receipt line’s expires_on, else the shelf life; a SKU without one has no expiry', async () => {
  const bad = await post('receipts', [{ id: 'GRN-1', store: 'S1', occurred_at: '2026-12-04T10:00:00+08:00', lines: [{ sku: 'CREAM', quantity: 1, unit: '箱', expires_on: '12/05' }] }], 'erp');
  expect(bad.status).toBe(400);
  expect(JSON.stringify(await bad.json())).toContain('lines.0.expires_on: expires_on 应为日期，如 2026-12-20');
  const onSale = await post('sales', [{ id: 'T-2', store: 'S1', occurred_at: '2026-12-04T10:00:00+08:00', lines: [{ sku: 'MILK', quantity: 1, expires_on: '2026-12-05' }] }], 'pos');
  expect(JSON.stringify(await onSale.json())).toContain('只有入库单 receipts 的明细可以带效期 expires_on');

  const res = await post(
    'receipts',
    [
      {
        id: 'GRN-2',
        store: 'S1',
        occurred_at: '2026-12-04T10:00:00+08:00',
        lines: [
          { sku: 'CREAM', quantity: 1, unit: '箱', expires_on: '2026-12-05' },
          { sku: 'MILK', quantity: 6 },
          { sku: 'CREAM', quantity: 2 },
        ],
      },
    ],
    'erp',
  );
  expect(res.status).toBe(200);
  expect(await batches('CREAM')).toEqual([
    ['2026-12-05', 12],
    ['2026-12-25', 0],
    [null, 2],
  ]);
  expect(await batches('MILK')).toEqual([
    ['2026-12-06', 0],
    ['2026-12-11', 6],
    ['2026-12-11', 6],
    ['2026-12-20', 24],
  ]);
});

it('tells the store each morning what expires within STOCK_EXPIRY_WARN_DAYS, once per batch, and what has expired', async () => {
  // Wednesday 9 December, 07:30 in Shanghai: milk of the 11th is 临期, the cream of the 5th has expired.
  clock.advance(Date.parse('2026-12-08T23:30:00Z') - clock.now().getTime());
  const before = h.fake.inbox('xiaomei').length;
  await runJob('stock.warnExpiringBatches');
  const told = h.fake.inbox('xiaomei').slice(before);
  expect(told.map((m) => visibleText(m.body.content))).toEqual([
    [
      '【临期提醒】一店：2 批 2 天内到期，1 批已过期',
      '· 奶油 12盒，12月5日已过期，请报损',
      '· 牛奶 6盒，12月11日到期（还有 2 天）',
      '· 牛奶 6盒，12月11日到期（还有 2 天）',
      '已过期的请下架并报损（报损 商品 数量 过期）；临期的请先用、先卖。',
    ].join('\n'),
  ]);
  expect(visibleText(h.fake.inbox('boss').at(-1)!.body.content)).toContain('【临期提醒】一店');
  await runJob('stock.warnExpiringBatches');
  expect(h.fake.inbox('xiaomei').length).toBe(before + 1);

  // Saturday the 12th: the milk of the 11th has expired now; the cream was told already.
  clock.advance(3 * 86_400_000);
  await runJob('stock.warnExpiringBatches');
  expect(visibleText(h.fake.inbox('xiaomei').at(-1)!.body.content)).toBe(
    ['【临期提醒】一店：2 批已过期', '· 牛奶 6盒，12月11日已过期，请报损', '· 牛奶 6盒，12月11日已过期，请报损', '已过期的请下架并报损（报损 商品 数量 过期）；临期的请先用、先卖。'].join('\n'),
  );
  expect(h.fake.inbox('xiaomei').length).toBe(before + 2);
});

it('lists the store’s expiring and expired batches on 临期 in chat and in the console', async () => {
  expect(await say('liqiang', '临期')).toBe(
    ['一店 临期批次（2 天内到期，先到期的先用）：', '· 奶油 12盒，12月5日已过期，请报损', '· 牛奶 6盒，12月11日已过期，请报损', '· 牛奶 6盒，12月11日已过期，请报损'].join('\n'),
  );
  // Waste picks the oldest batch first: the expired milk goes, and the list says so.
  await chat.say('liqiang', '报损 牛奶 6盒 过期');
  clock.advance(61_000);
  expect(await say('liqiang', '效期')).toBe(['一店 临期批次（2 天内到期，先到期的先用）：', '· 奶油 12盒，12月5日已过期，请报损', '· 牛奶 6盒，12月11日已过期，请报损'].join('\n'));

  const viewer = await h.app.db.staff.findUniqueOrThrow({ where: { userid: 'boss' } });
  const rows = await expiringSection.rows({ db: h.app.db, clock, config: h.app.config, timezone: h.app.config.timezone, viewer }, 'S1');
  expect(rows.map((r) => [r.cells.name, r.cells.remaining, r.cells.expiresOn, r.cells.daysLeft, r.cells.state])).toEqual([
    ['奶油', '12', '2026-12-05', -7, '已过期，请报损'],
    ['牛奶', '6', '2026-12-11', -1, '已过期，请报损'],
  ]);
});

it('gives what a transfer brings the earliest expiry of what left the sending store', async () => {
  // S1 has milk of the 11th (6) and of the 20th (24): a case of 12 takes the 6 first, then 6 of the 20th.
  await chat.say('xiaomei', '调拨 牛奶 1箱 到 二店');
  const card = h.fake.inbox('chenjing').at(-1)!;
  await chat.tap('chenjing', card, '全部收到');
  expect(await batches('MILK')).toEqual([
    ['2026-12-06', 0],
    ['2026-12-11', 0],
    ['2026-12-11', 0],
    ['2026-12-20', 18],
  ]);
  const received = await h.app.db.stockBatch.findMany({ where: { storeCode: 'S2', skuCode: 'MILK' } });
  expect(received.map((b) => [b.expiresOn?.toISOString().slice(0, 10), b.remaining.toNumber()])).toEqual([['2026-12-11', 12]]);
});

it('imports a shelf life in days and names a bad one by its row', async () => {
  const outcome = await importMasterData(
    h.app.db,
    'skus',
    'code,name,category,base_unit,pack_units,cost_price,shelf_life_days\nTEA,红茶,茶叶,袋,,12,180天\nSUGAR,白糖,干货,袋,,4,半年\nJAM,果酱,干货,瓶,,9,-1\n',
    'csv',
  );
  expect(outcome).toMatchObject({
    ok: false,
    problems: [
      { line: 3, message: '保质期天数必须是 0–3650 的整数天数（如 7 或 7天），或留空' },
      { line: 4, message: '保质期天数必须是 0–3650 的整数天数（如 7 或 7天），或留空' },
    ],
  });
  await importMasterData(h.app.db, 'skus', 'code,name,category,base_unit,pack_units,cost_price,shelf_life_days\nTEA,红茶,茶叶,袋,,12,180天\n', 'csv');
  expect((await h.app.db.sku.findUniqueOrThrow({ where: { code: 'TEA' } })).shelfLifeDays).toBe(180);
});
