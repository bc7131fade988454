import crypto from 'node:crypto';
import { signSync, syncSigningString } from '../../../src/edge/sync';
import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';

/** POS sales and ERP/WMS receipts posted to the signed sync API become ledger moves, once. */
const SECRETS = { pos: 'pos-secret-0123456789', erp: 'erp-secret-0123456789' };
const clock = new TestClock();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [stockFeature], clock, env: { SYNC_KEYS: `pos:${SECRETS.pos},erp:${SECRETS.erp}` } });
  await importMasterData(h.app.db, 'stores', 'code,name\nS001,一店\nS002,二店\n', 'csv');
  await importMasterData(
    h.app.db,
    'skus',
    'code,name,category,base_unit,pack_units,cost_price,barcodes\nMILK,牛奶,乳品,盒,箱=12,6.5,6900000010006|6910000010005@箱\nCREAM,奶油,乳品,盒,箱=12,28,6900000010075\n',
    'csv',
  );
}, 120_000);
afterAll(() => h.stop());

function post(document: string, docs: unknown, source: keyof typeof SECRETS = 'pos') {
  const body = JSON.stringify(docs);
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  const nonce = crypto.randomUUID();
  const path = `/api/sync/${document}`;
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-sync-source': source,
      'x-sync-timestamp': timestamp,
      'x-sync-nonce': nonce,
      'x-sync-signature': signSync(SECRETS[source], syncSigningString(timestamp, nonce, 'POST', path, body)),
    },
  });
}
const onHand = async (store: string, sku: string) => (await h.app.db.stockBalance.findUnique({ where: { storeCode_skuCode: { storeCode: store, skuCode: sku } } }))?.onHand.toNumber() ?? 0;

it('books an ERP receipt by SKU code or barcode, in the barcode’s unit, and a repost books nothing', async () => {
  const receipt = [
    {
      id: 'GRN-1001',
      store: 'S001',
      occurred_at: '2026-11-25T08:30:00+08:00',
      lines: [
        { sku: 'MILK', quantity: 2, unit: '箱' },
        { barcode: '6910000010005', quantity: 1 },
        { sku: 'CREAM', quantity: 10 },
      ],
    },
  ];
  const res = await post('receipts', receipt, 'erp');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ document: 'receipts', documents: 1, booked: 1, duplicates: [], moves: 3 });
  expect(await onHand('S001', 'MILK')).toBe(36);
  expect(await onHand('S001', 'CREAM')).toBe(10);
  const again = await post('receipts', receipt, 'erp');
  expect(await again.json()).toEqual({ document: 'receipts', documents: 1, booked: 0, duplicates: ['GRN-1001'], moves: 0 });
  expect(await onHand('S001', 'MILK')).toBe(36);
  const move = await h.app.db.stockMove.findFirstOrThrow({ where: { skuCode: 'CREAM' } });
  expect(move).toMatchObject({ kind: 'receipt', source: 'erp', externalId: 'erp:receipts:GRN-1001:3' });
  expect(move.occurredAt.toISOString()).toBe('2026-11-25T00:30:00.000Z');
});

it('books POS sales (a refund as a negative line), even past the book, and the same id from another source is its own', async () => {
  const res = await post('sales', [
    {
      id: 'T-1',
      store: 'S001',
      occurred_at: '2026-11-25T10:00:00+08:00',
      lines: [
        { sku: 'MILK', quantity: 3 },
        { sku: 'CREAM', quantity: 12 },
      ],
    },
    { id: 'T-2', store: 'S001', occurred_at: '2026-11-25T10:05:00+08:00', lines: [{ sku: 'MILK', quantity: -1 }] },
  ]);
  expect(await res.json()).toMatchObject({ documents: 2, booked: 2, moves: 3 });
  expect(await onHand('S001', 'MILK')).toBe(34);
  expect(await onHand('S001', 'CREAM')).toBe(-2);
  expect(await h.app.db.stockMove.count({ where: { kind: 'sale' } })).toBe(3);
});

it('answers 400 listing every problem of every document, and books none of them', async () => {
  const before = await h.app.db.stockMove.count();
  const res = await post('sales', [
    { id: 'T-3', store: 'S001', occurred_at: '2026-11-25T11:00:00+08:00', lines: [{ sku: 'MILK', quantity: 1 }] },
    { id: 'T-4', store: 'S404', occurred_at: 'yesterday', lines: [{ sku: 'DURIAN', quantity: 1 }, { sku: 'MILK', quantity: 1, unit: '桶' }, { quantity: 0 }] },
    { id: 'T-3', store: 'S001', occurred_at: '2026-11-25T11:00:00+08:00', lines: [] },
  ]);
  expect(res.status).toBe(400);
  const answer = await res.json();
  expect(answer.error).toBe('invalid_document');
  expect(answer.problems).toEqual([
    { line: 2, message: expect.stringContaining('occurred_at') },
    { line: 2, message: '门店 S404 不存在' },
    { line: 2, message: 'lines.0: 商品 DURIAN 不存在' },
    { line: 2, message: 'lines.1: 商品 MILK 没有单位「桶」（可用：盒、箱）' },
    { line: 2, message: 'lines.2: 缺少商品编码 sku 或条码 barcode' },
    { line: 3, message: 'lines: 明细 lines 不能为空' },
    { line: 3, message: '单据 T-3 与第 1 张重复' },
  ]);
  expect(await h.app.db.stockMove.count()).toBe(before);
  expect(await h.app.db.stockSyncDocument.count({ where: { documentId: 'T-3' } })).toBe(0);
});

it('books a document posted twice at once exactly once', async () => {
  const doc = [
    {
      id: 'GRN-2002',
      store: 'S002',
      occurred_at: '2026-11-25T09:00:00+08:00',
      lines: [
        { sku: 'MILK', quantity: 5 },
        { sku: 'CREAM', quantity: 5 },
      ],
    },
  ];
  const answers = await Promise.all([post('receipts', doc, 'erp'), post('receipts', doc, 'erp'), post('receipts', doc, 'erp')]);
  const results = await Promise.all(answers.map((r) => r.json()));
  expect(results.map((r) => r.booked).sort()).toEqual([0, 0, 1]);
  expect(await onHand('S002', 'MILK')).toBe(5);
  expect(await onHand('S002', 'CREAM')).toBe(5);
});
