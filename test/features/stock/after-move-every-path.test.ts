import crypto from 'node:crypto';
import { signSync, syncSigningString } from '../../../src/edge/sync';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { tasksFeature } from '../../../src/features/tasks';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/**
 * One ledger write path: whichever entry point books a move — chat, scan, a card, a synced
 * document, a transfer's receipt, a count's adjustment, an undo — the after-move rules run as it
 * is booked (delivery filling, the late flag and its points, safety-stock alerts). No job is run
 * in this file: nothing is left for a sweep to catch.
 */
const ERP_SECRET = 'erp-secret-0123456789';
const POS_SECRET = 'pos-secret-0123456789';
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z')); // 10:00 in Shanghai
let h: Harness;
let chat: ReturnType<typeof stockChat>;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature, tasksFeature], clock, env: { SYNC_KEYS: `erp:${ERP_SECRET},pos:${POS_SECRET}` } });
  chat = stockChat(h, clock);
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,aliases\nS1,一店,\nS2,二店,二店\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nboss,王店长,S1,店长\nchenjing,陈静,S2,店员\nwu,吴店长,S2,店长\n', 'csv');
  await importMasterData(db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price,barcodes\nMILK,牛奶,,乳品,盒,箱=12,6.5,6910000010005@箱\n', 'csv');
  await importMasterData(db, 'sku-settings', 'store,sku,safety_stock,max_daily_loss\nS1,MILK,10,0\nS2,MILK,10,0\n', 'csv');
});
afterAll(() => h.stop());

async function post(document: string, body: unknown, source = 'erp', secret = ERP_SECRET) {
  const text = JSON.stringify(body);
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  const nonce = crypto.randomUUID();
  const signature = signSync(secret, syncSigningString(timestamp, nonce, 'POST', `/api/sync/${document}`, text));
  const res = await fetch(`${h.url}/api/sync/${document}`, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json', 'x-sync-source': source, 'x-sync-timestamp': timestamp, 'x-sync-nonce': nonce, 'x-sync-signature': signature },
  });
  await h.settle();
  return res;
}
const hoursAgo = (hours: number) => new Date(clock.now().getTime() - hours * 3600_000).toISOString();
const alertState = async (store: string) => (await h.app.db.stockLowAlert.findUnique({ where: { storeCode_skuCode: { storeCode: store, skuCode: 'MILK' } } }))?.state ?? null;
const alertsTo = (user: string) => h.fake.inbox(user).filter((m) => String(m.body.content ?? '').startsWith('【低于安全库存】'));
const delivery = (id: string) => h.app.db.stockDelivery.findUniqueOrThrow({ where: { id } });
const moveOf = (externalId: string) => h.app.db.stockMove.findUniqueOrThrow({ where: { externalId } });

it('runs the after-move rules for every entry point, with no sweep', async () => {
  expect(h.app.bot.jobs.map((j) => j.name)).not.toContain('stock.flagLateMoves');

  clock.advance(60_000);
  // A synced receipt naming its notice fills it; booked three hours late, it is measured by the notice instead.
  expect((await post('deliveries', [{ id: 'ERP-1', store: 'S1', expected_at: hoursAgo(3), lines: [{ sku: 'MILK', quantity: 2, unit: '箱' }] }])).status).toBe(200);
  expect((await post('receipts', [{ id: 'GRN-1', store: 'S1', occurred_at: hoursAgo(3), delivery: 'ERP-1', lines: [{ sku: 'MILK', quantity: 24 }] }])).status).toBe(200);
  expect((await delivery('ERP-1')).bookedAt).not.toBeNull();
  const receipt = await moveOf('erp:receipts:GRN-1:1');
  expect(await h.app.db.stockLateMove.count({ where: { moveId: receipt.id } })).toBe(0);

  clock.advance(60_000);
  // A synced sale three hours late is flagged and costs points; below safety stock it alerts.
  expect((await post('sales', [{ id: 'SALE-1', store: 'S1', occurred_at: hoursAgo(3), lines: [{ sku: 'MILK', quantity: 20 }] }], 'pos', POS_SECRET)).status).toBe(200);
  const sale = await moveOf('pos:sales:SALE-1:1');
  expect(await h.app.db.stockLateMove.findUniqueOrThrow({ where: { moveId: sale.id } })).toMatchObject({ minutesLate: 180 });
  expect(await h.app.db.storePointsEntry.findMany({ where: { causeKey: `move-late:${sale.id}` }, select: { points: true, reason: true } })).toEqual([
    { points: -1, reason: `补记晚了 3 小时：销售 #${sale.id}` },
  ]);
  expect(await alertState('S1')).toBe('low');
  expect(alertsTo('boss')).toHaveLength(1);
  expect(alertsTo('boss').at(-1)!.body.content).toContain('现有 4盒，安全库存 10盒');

  clock.advance(60_000);
  // Chat: a receipt brings it back above safety stock.
  await chat.say('xiaomei', '入库 牛奶 1箱');
  expect(await alertState('S1')).toBe('ok');

  clock.advance(60_000);
  // A card: a waste held over the day's limit, booked when its sender confirms it, alerts.
  const hold = await chat.say('xiaomei', '报损 牛奶 7盒 过期');
  expect(hold.body).toMatchObject({ main_title: { title: '报损待确认：牛奶 7盒' } });
  expect((await chat.tap('xiaomei', hold, '确认报损')).body.content).toContain('已报损 牛奶 7盒');
  expect(await chat.onHand('S1', 'MILK')).toBe(9);
  expect(await alertState('S1')).toBe('low');
  expect(alertsTo('boss')).toHaveLength(2);

  clock.advance(60_000);
  // A scan: the tapped quantity's receipt recovers it.
  const scanned = await chat.scan('xiaomei', 'stock.scanReceive', '6910000010005');
  await chat.tap('xiaomei', scanned, '2箱');
  expect(await chat.onHand('S1', 'MILK')).toBe(33);
  expect(await alertState('S1')).toBe('ok');

  clock.advance(60_000);
  // A transfer: sending drops the sender below safety stock; the receipt recovers the receiver.
  await post('sales', [{ id: 'SALE-2', store: 'S2', occurred_at: hoursAgo(0), lines: [{ sku: 'MILK', quantity: 5 }] }], 'pos', POS_SECRET);
  expect(await alertState('S2')).toBe('low');
  expect(alertsTo('wu')).toHaveLength(1);
  clock.advance(60_000);
  await chat.say('xiaomei', '调拨 牛奶 2箱 到 二店');
  expect(await alertState('S1')).toBe('low');
  expect(alertsTo('boss')).toHaveLength(3);
  await chat.tap('chenjing', h.fake.inbox('chenjing').at(-1)!, '全部收到');
  expect(await chat.onHand('S2', 'MILK')).toBe(19);
  expect(await alertState('S2')).toBe('ok');

  clock.advance(60_000);
  // A count: the adjustment recovers it.
  await chat.say('boss', '开始盘点');
  await chat.say('xiaomei', '盘点 牛奶 30盒');
  const closed = await chat.say('boss', '结束盘点');
  await chat.tap('boss', closed, '确认调整');
  expect(await chat.onHand('S1', 'MILK')).toBe(30);
  expect(await alertState('S1')).toBe('ok');

  // An undo: the reversal un-fills the delivery its receipt filled and drops below safety stock again.
  // Half a day on, the receipts booked so far are outside the window that could refill the delivery.
  clock.advance(13 * 3600_000);
  await post('deliveries', [{ id: 'ERP-2', store: 'S1', expected_at: hoursAgo(0), lines: [{ sku: 'MILK', quantity: 1, unit: '箱' }] }]);
  await chat.say('xiaomei', '退货 牛奶 2箱 给供应商');
  expect(alertsTo('boss')).toHaveLength(4);
  clock.advance(60_000);
  await chat.say('xiaomei', '入库 牛奶 1箱');
  expect((await delivery('ERP-2')).bookedAt).not.toBeNull();
  expect(await alertState('S1')).toBe('ok');
  clock.advance(60_000);
  expect((await chat.say('xiaomei', '撤销')).body.content).toContain('到货单 ERP-2 又变为未入库');
  expect((await delivery('ERP-2')).bookedAt).toBeNull();
  expect(await alertState('S1')).toBe('low');
  expect(alertsTo('boss')).toHaveLength(5);
});
