import crypto from 'node:crypto';
import { signSync, syncSigningString } from '../../../src/edge/sync';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { receivedUnbookedDeliveries } from '../../../src/features/stock/deliveries';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { eventMessage, innerXml, textMessage } from '../../helpers/wecom-callback';
import { tasksFeature } from '../../../src/features/tasks';
import { bookMove } from '../../../src/features/stock/booking';

/** Advance delivery notices from the ERP: synced once, filled by receipts booked in chat. */
const ERP_SECRET = 'erp-secret-0123456789';
const clock = new TestClock(Date.parse('2026-11-25T01:00:00Z')); // 09:00 in Shanghai
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature, tasksFeature], clock, env: { SYNC_KEYS: `erp:${ERP_SECRET},wms:wms-secret-0123456789` } });
  await importMasterData(h.app.db, 'stores', 'code,name\nS1,一店\nS2,二店\n', 'csv');
  await importMasterData(h.app.db, 'staff', 'userid,name,store,role\nxiaomei,张小美,S1,店员\nboss,王店长,S1,店长\n', 'csv');
  await importMasterData(h.app.db, 'skus', 'code,name,aliases,category,base_unit,pack_units,cost_price\nMILK,牛奶,,乳品,盒,箱=12,6.5\nCREAM,奶油,,乳品,盒,箱=12,28\n', 'csv');
});
afterAll(() => h.stop());

const now = () => Math.floor(clock.now().getTime() / 1000);
function post(body: unknown, source = 'erp', secret = ERP_SECRET, document = 'deliveries') {
  const text = JSON.stringify(body);
  const timestamp = String(now());
  const nonce = crypto.randomUUID();
  const signature = signSync(secret, syncSigningString(timestamp, nonce, 'POST', `/api/sync/${document}`, text));
  return fetch(`${h.url}/api/sync/${document}`, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json', 'x-sync-source': source, 'x-sync-timestamp': timestamp, 'x-sync-nonce': nonce, 'x-sync-signature': signature },
  });
}
const say = async (user: string, text: string) => {
  await h.deliver(textMessage(h.keys, user, text, { createTime: now() }), { timestamp: String(now()) });
  await h.settle();
  return h.fake.inbox(user).at(-1)!;
};
const NOTICE = {
  id: 'ERP-4711',
  store: 'S1',
  expected_at: '2026-11-25T10:00:00+08:00',
  lines: [
    { sku: 'CREAM', quantity: 2, unit: '箱' },
    { sku: 'MILK', quantity: 24 },
  ],
};

it('answers a body with bad notices with 400 listing every problem, and writes nothing', async () => {
  const res = await post([
    NOTICE,
    { id: 'ERP-1', store: 'S9', expected_at: '2026-11-25 10:00', lines: [] },
    {
      id: 'ERP-2',
      store: 'S1',
      expected_at: '2026-11-25T10:00:00+08:00',
      lines: [
        { sku: 'DURIAN', quantity: 1 },
        { sku: 'MILK', quantity: -1 },
        { sku: 'MILK', quantity: 1, unit: '桶' },
      ],
    },
    { ...NOTICE },
  ]);
  expect(res.status).toBe(400);
  const answer = (await res.json()) as { problems: { line: number; message: string }[] };
  expect(answer.problems).toEqual([
    { line: 2, message: expect.stringContaining('expected_at: 预计到货时间须是带时区的 ISO 时间') },
    { line: 2, message: 'lines: 到货单至少要有一行' },
    { line: 2, message: 'store: 没有门店 S9' },
    { line: 3, message: 'lines.0.sku: 没有商品 DURIAN' },
    { line: 3, message: 'lines.1.quantity: 数量须大于 0' },
    { line: 3, message: 'lines.2.unit: 商品 MILK 没有单位「桶」（可用：盒、箱）' },
    { line: 4, message: '到货单 ERP-4711 与第 1 张重复' },
  ]);
  expect(await h.app.db.stockDelivery.count()).toBe(0);
});

it('stores a notice once; the same notice again changes nothing, a revised one replaces it', async () => {
  let res = await post([NOTICE]);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ kind: 'deliveries', rows: 1, created: 1, updated: 0, unchanged: 0 });
  res = await post([NOTICE]);
  expect(await res.json()).toEqual({ kind: 'deliveries', rows: 1, created: 0, updated: 0, unchanged: 1 });
  res = await post([{ ...NOTICE, lines: [...NOTICE.lines, { sku: 'MILK', quantity: 1, unit: '箱' }] }]);
  expect(await res.json()).toEqual({ kind: 'deliveries', rows: 1, created: 0, updated: 1, unchanged: 0 });
  res = await post([NOTICE]);
  expect(await res.json()).toMatchObject({ updated: 1 });
  const lines = await h.app.db.stockDeliveryLine.findMany({ where: { deliveryId: 'ERP-4711' }, orderBy: { lineNo: 'asc' } });
  expect(lines.map((l) => [l.skuCode, l.quantity.toNumber(), l.unitQuantity.toNumber(), l.unit])).toEqual([
    ['CREAM', 24, 2, '箱'],
    ['MILK', 24, 24, '盒'],
  ]);
  res = await post([{ ...NOTICE, store: 'S2' }], 'wms', 'wms-secret-0123456789');
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ problems: [{ line: 1, message: '到货单号 ERP-4711 已被来源 erp 使用' }] });
});

it('is not yet unbooked before it is expected; after, counts must wait for it', async () => {
  expect(await receivedUnbookedDeliveries(h.app.db, 'S1', clock.now())).toEqual([]);
  clock.advance(90 * 60_000); // 10:30
  expect(await receivedUnbookedDeliveries(h.app.db, 'S1', clock.now())).toEqual([
    {
      id: 'ERP-4711',
      expectedAt: new Date('2026-11-25T02:00:00Z'),
      lines: [
        { skuCode: 'CREAM', skuName: '奶油', missing: 24, unit: '盒' },
        { skuCode: 'MILK', skuName: '牛奶', missing: 24, unit: '盒' },
      ],
    },
  ]);
  expect(await receivedUnbookedDeliveries(h.app.db, 'S2', clock.now())).toEqual([]);
});

it('is filled by receipts booked in chat, line by line, and an undo opens it again', async () => {
  await say('xiaomei', '收到奶油1箱');
  await say('xiaomei', '收到牛奶2箱');
  let [open] = await receivedUnbookedDeliveries(h.app.db, 'S1', clock.now());
  expect(open.lines).toEqual([{ skuCode: 'CREAM', skuName: '奶油', missing: 12, unit: '盒' }]);
  expect((await h.app.db.stockDelivery.findUniqueOrThrow({ where: { id: 'ERP-4711' } })).bookedAt).toBeNull();

  await say('xiaomei', '收到奶油1箱');
  expect(await receivedUnbookedDeliveries(h.app.db, 'S1', clock.now())).toEqual([]);
  expect((await h.app.db.stockDelivery.findUniqueOrThrow({ where: { id: 'ERP-4711' } })).bookedAt).toEqual(clock.now());
  // Once booked, a revised notice is refused rather than silently rewriting what was received.
  const res = await post([{ ...NOTICE, expected_at: '2026-11-25T11:00:00+08:00' }]);
  expect(await res.json()).toMatchObject({ problems: [{ line: 1, message: '到货单 ERP-4711 已开始入库，不能再修改' }] });

  await say('xiaomei', '撤销');
  [open] = await receivedUnbookedDeliveries(h.app.db, 'S1', clock.now());
  expect(open.lines).toEqual([{ skuCode: 'CREAM', skuName: '奶油', missing: 12, unit: '盒' }]);
  await say('xiaomei', '入库 奶油 2箱'); // more than missing: fills the 12, the rest is stock all the same
  expect(await receivedUnbookedDeliveries(h.app.db, 'S1', clock.now())).toEqual([]);
  const onHand = await h.app.db.stockBalance.findUniqueOrThrow({ where: { storeCode_skuCode: { storeCode: 'S1', skuCode: 'CREAM' } } });
  expect(onHand.onHand.toNumber()).toBe(36);
});

it('leaves receipts far from any expected delivery unmatched', async () => {
  await post([{ id: 'ERP-4712', store: 'S1', expected_at: '2026-11-28T10:00:00+08:00', lines: [{ sku: 'MILK', quantity: 1, unit: '箱' }] }]);
  await say('xiaomei', '收到牛奶1箱');
  expect((await h.app.db.stockDeliveryLine.findFirstOrThrow({ where: { deliveryId: 'ERP-4712' } })).bookedQuantity.toNumber()).toBe(0);
});

const runJob = async (name: string) => {
  await h.app.scheduler.runJob(
    h.app.bot.jobs.find((j) => j.name === name)!,
    clock.now(),
  );
  await h.settle();
};

it('chases a delivery not booked two hours after it was expected: points, a task, and an 入库 button that books it whole', async () => {
  await post([
    {
      id: 'ERP-4713',
      store: 'S1',
      expected_at: '2026-11-25T11:00:00+08:00',
      lines: [
        { sku: 'CREAM', quantity: 1, unit: '箱' },
        { sku: 'MILK', quantity: 6 },
      ],
    },
  ]);
  clock.advance(2 * 3600_000); // 12:30: not two hours yet
  await runJob('stock.chaseLateDeliveries');
  expect(await h.app.db.task.count()).toBe(0);
  clock.advance(45 * 60_000); // 13:15
  await runJob('stock.chaseLateDeliveries');
  await runJob('stock.chaseLateDeliveries'); // a second run chases nothing twice
  const task = await h.app.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'stock.lateDelivery', sourceRef: 'delivery:ERP-4713' } } });
  expect(task).toMatchObject({ storeCode: 'S1', assignee: null, state: 'open', title: '到货未入库：奶油 12盒、牛奶 6盒' });
  const points = await h.app.db.storePointsEntry.findMany({ where: { storeCode: 'S1' } });
  expect(points.map((p) => [p.points, p.causeKey])).toEqual([[-1, 'delivery-late:ERP-4713']]);

  await runJob('tasks.walkDue');
  const card = h.fake.inbox('boss').find((m) => m.msgtype === 'template_card' && JSON.stringify(m.body).includes('stock.bookDelivery:ERP-4713'))!;
  const button = (card.body.button_list as { text: string; key: string }[])[0];
  expect(button.text).toBe('入库');
  const taskId = String(card.body.task_id);
  await h.deliver(
    eventMessage(h.keys, 'boss', 'template_card_event', button.key, innerXml({ TaskId: taskId, CardType: 'button_interaction', ResponseCode: h.fake.issueResponseCode(taskId) }).slice(5, -6), now()),
    { timestamp: String(now()) },
  );
  await h.settle();
  expect(h.fake.inbox('boss').at(-1)!.body).toMatchObject({ main_title: { title: '已入库 到货单 ERP-4713' }, sub_title_text: expect.stringContaining('奶油 12盒') });
  expect(await receivedUnbookedDeliveries(h.app.db, 'S1', clock.now())).toEqual([]);
  expect((await h.app.db.task.findUniqueOrThrow({ where: { id: task.id } })).state).toBe('done');
  const moves = await h.app.db.stockMove.findMany({ where: { externalId: { startsWith: 'delivery:ERP-4713:' } } });
  expect(moves.map((m) => [m.skuCode, m.quantity.toNumber()])).toEqual([
    ['CREAM', 12],
    ['MILK', 6],
  ]);
});

it('flags a move recorded more than two hours after it happened, once, and shows managers the points', async () => {
  const at = clock.now();
  const book = () =>
    h.app.db.$transaction((tx) =>
      bookMove(
        tx,
        h.app.config,
        { storeCode: 'S1', skuCode: 'MILK', kind: 'receipt', quantity: 6, occurredAt: new Date(at.getTime() - 3 * 3600_000), recordedAt: at, source: 'erp', externalId: 'erp:late-1' },
        { baseUnit: '盒', allowNegative: false },
      ),
    );
  const { id } = await book();
  // The ERP's retry of the same move.
  expect((await book()).created).toBe(false);
  expect(await h.app.db.stockLateMove.findUniqueOrThrow({ where: { moveId: id } })).toMatchObject({ minutesLate: 180 });
  expect(await h.app.db.storePointsEntry.count({ where: { causeKey: `move-late:${id}` } })).toBe(1);

  expect((await say('boss', '积分')).body.content).toBe(
    ['一店 2026-11 积分：-2（2 条扣分）', `11月25日 10:15 -1 补记晚了 3 小时：入库 #${id}`, '11月25日 13:15 -1 到货单 ERP-4713 超过 2 小时未入库'].join('\n'),
  );
  expect((await say('xiaomei', '积分')).body.content).toBe('积分只有店长、区域经理和管理员可以查看。');
  expect((await say('boss', '积分 二店')).body.content).toBe('你不能查看「二店」的积分。');
});

it('flags a late move of another path as it is booked, without a sweep, and keeps a count from opening while a delivery is unbooked', async () => {
  const at = clock.now();
  const late = await h.app.db.$transaction((tx) =>
    bookMove(
      tx,
      h.app.config,
      { storeCode: 'S1', skuCode: 'CREAM', kind: 'receipt', quantity: 6, occurredAt: new Date(at.getTime() - 150 * 60_000), recordedAt: at, source: 'erp', externalId: 'erp:late-2' },
      { baseUnit: '盒', allowNegative: false },
    ),
  );
  expect(await h.app.db.storePointsEntry.findMany({ where: { causeKey: `move-late:${late.id}` }, select: { points: true, reason: true } })).toEqual([
    { points: -1, reason: `补记晚了 2.5 小时：入库 #${late.id}` },
  ]);

  await post([{ id: 'ERP-4714', store: 'S1', expected_at: '2026-11-25T12:00:00+08:00', lines: [{ sku: 'MILK', quantity: 1, unit: '箱' }] }]);
  expect((await say('boss', '开始盘点')).body.content).toContain('到货单 ERP-4714 已到货还没入库：牛奶 12盒');
  expect(await h.app.db.stockCount.count()).toBe(0);
});

const postReceipts = (body: unknown) => post(body, 'erp', ERP_SECRET, 'receipts');
const delivery = (id: string) => h.app.db.stockDelivery.findUniqueOrThrow({ where: { id }, include: { lines: { orderBy: { lineNo: 'asc' } } } });

it("refuses an ERP receipt naming a notice that does not exist or is another store's, and a sale naming one", async () => {
  await post([{ id: 'ERP-5000', store: 'S1', expected_at: '2026-11-25T13:00:00+08:00', lines: [{ sku: 'MILK', quantity: 6 }] }]);
  const lines = [{ sku: 'MILK', quantity: 6 }];
  const res = await postReceipts([
    { id: 'GRN-1', store: 'S2', occurred_at: '2026-11-25T13:00:00+08:00', delivery: 'ERP-5000', lines },
    { id: 'GRN-2', store: 'S1', occurred_at: '2026-11-25T13:00:00+08:00', delivery: 'ERP-9999', lines },
  ]);
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({
    problems: [
      { line: 1, message: 'delivery: 到货单 ERP-5000 是门店 S1 的，不是 S2 的' },
      { line: 2, message: 'delivery: 到货单 ERP-9999 不存在' },
    ],
  });
  const sale = await post([{ id: 'T-1', store: 'S1', occurred_at: '2026-11-25T13:00:00+08:00', delivery: 'ERP-5000', lines }], 'erp', ERP_SECRET, 'sales');
  expect(await sale.json()).toMatchObject({ problems: [{ line: 1, message: 'delivery: 只有入库单 receipts 可以引用到货单' }] });
  expect(await h.app.db.stockMove.count({ where: { source: 'erp', externalId: { startsWith: 'erp:receipts:GRN-' } } })).toBe(0);
});

it('fills the notice an ERP receipt names, whenever it was expected, partly and then fully', async () => {
  // Expected in five days: outside the window a receipt without a reference would look in.
  await post([
    {
      id: 'ERP-5011',
      store: 'S2',
      expected_at: '2026-11-30T10:00:00+08:00',
      lines: [
        { sku: 'MILK', quantity: 2, unit: '箱' },
        { sku: 'CREAM', quantity: 6 },
      ],
    },
  ]);
  let res = await postReceipts([{ id: 'GRN-5011-1', store: 'S2', occurred_at: '2026-11-25T13:00:00+08:00', delivery: 'ERP-5011', lines: [{ sku: 'MILK', quantity: 1, unit: '箱' }] }]);
  expect(res.status).toBe(200);
  let notice = await delivery('ERP-5011');
  expect(notice.lines.map((l) => l.bookedQuantity.toNumber())).toEqual([12, 0]);
  expect(notice.bookedAt).toBeNull();
  res = await postReceipts([
    {
      id: 'GRN-5011-2',
      store: 'S2',
      occurred_at: '2026-11-25T13:05:00+08:00',
      delivery: 'ERP-5011',
      lines: [
        { sku: 'MILK', quantity: 14 },
        { sku: 'CREAM', quantity: 6 },
      ],
    },
  ]);
  expect(res.status).toBe(200);
  notice = await delivery('ERP-5011');
  // What is left over (2 of the 14) is stock all the same.
  expect(notice.lines.map((l) => l.bookedQuantity.toNumber())).toEqual([24, 6]);
  expect(notice.bookedAt).toEqual(clock.now());
  expect(await h.app.db.stockDeliveryMatch.count({ where: { lineId: { in: notice.lines.map((l) => l.id) } } })).toBe(3);
  // A retried post fills nothing twice.
  await postReceipts([
    {
      id: 'GRN-5011-2',
      store: 'S2',
      occurred_at: '2026-11-25T13:05:00+08:00',
      delivery: 'ERP-5011',
      lines: [
        { sku: 'MILK', quantity: 14 },
        { sku: 'CREAM', quantity: 6 },
      ],
    },
  ]);
  expect(await h.app.db.stockDeliveryMatch.count({ where: { lineId: { in: notice.lines.map((l) => l.id) } } })).toBe(3);
});

it('fills a late notice from an ERP receipt without a reference by store, SKU and window, and closes its chase task', async () => {
  await post([{ id: 'ERP-5010', store: 'S2', expected_at: '2026-11-25T10:00:00+08:00', lines: [{ sku: 'CREAM', quantity: 1, unit: '箱' }] }]);
  await runJob('stock.chaseLateDeliveries');
  const ref = { kind_sourceRef: { kind: 'stock.lateDelivery', sourceRef: 'delivery:ERP-5010' } };
  expect((await h.app.db.task.findUniqueOrThrow({ where: ref })).state).toBe('open');
  // Another store's receipt of the SKU fills nothing of it.
  await postReceipts([{ id: 'GRN-5010-0', store: 'S1', occurred_at: '2026-11-25T12:50:00+08:00', lines: [{ sku: 'CREAM', quantity: 12 }] }]);
  expect((await delivery('ERP-5010')).bookedAt).toBeNull();
  const res = await postReceipts([
    {
      id: 'GRN-5010',
      store: 'S2',
      occurred_at: '2026-11-25T12:55:00+08:00',
      lines: [
        { sku: 'CREAM', quantity: 12 },
        { sku: 'MILK', quantity: 1 },
      ],
    },
  ]);
  expect(res.status).toBe(200);
  expect((await delivery('ERP-5010')).bookedAt).toEqual(clock.now());
  const task = await h.app.db.task.findUniqueOrThrow({ where: ref });
  expect(task).toMatchObject({ state: 'done', closedBy: null });
  await runJob('tasks.walkDue');
  expect(await h.app.db.task.count({ where: { kind: 'stock.lateDelivery', state: 'open' } })).toBe(0);
});

it('fills a notice from a scanned receipt like a typed one', async () => {
  await post([{ id: 'ERP-5020', store: 'S1', expected_at: '2026-11-25T13:30:00+08:00', lines: [{ sku: 'CREAM', quantity: 1, unit: '箱' }] }]);
  await h.app.db.skuBarcode.create({ data: { barcode: '6900000000017', skuCode: 'CREAM', unit: '箱' } });
  await h.deliver(
    eventMessage(
      h.keys,
      'xiaomei',
      'scancode_waitmsg',
      'stock.scanReceive',
      '<ScanCodeInfo><ScanType><![CDATA[barcode]]></ScanType><ScanResult><![CDATA[EAN_13,6900000000017]]></ScanResult></ScanCodeInfo>',
      now(),
    ),
    { timestamp: String(now()) },
  );
  await h.settle();
  await say('xiaomei', '1');
  expect((await delivery('ERP-5020')).bookedAt).toEqual(clock.now());
});
