import { importMasterData } from '../../../src/features/masterdata/import';
import { stockFeature } from '../../../src/features/stock';
import { bookMoves } from '../../../src/features/stock/booking';
import type { NewMove } from '../../../src/features/stock/ledger';
import { suggestedQuantity } from '../../../src/features/stock/ordering/suggest';
import { visibleText } from '../../../src/platform/sender';
import type { DeliveredMessage } from '../../../src/sandbox/fake-wecom';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { stockChat } from './chat';

/**
 * 建议订货: par level + forecast usage over the supplier's lead time − on hand − on its way, in
 * whole packs, per supplier; the manager confirms a supplier's order on its card, once.
 */
const DAY = 86_400_000;
const clock = new TestClock(new Date('2026-12-04T10:00:00+08:00').getTime());
let h: Harness;
let chat: ReturnType<typeof stockChat>;
const words = (m: DeliveredMessage) => visibleText(m.body.content);

it('orders what par and the lead time need beyond what is there, in whole packs', () => {
  expect(suggestedQuantity({ par: 24, forecast: 30, onHand: 10, incoming: 0, packFactor: 12 })).toEqual({ quantity: 48, packs: 4 });
  expect(suggestedQuantity({ par: 24, forecast: 12, onHand: 12, incoming: 0, packFactor: 12 })).toEqual({ quantity: 24, packs: 2 });
  expect(suggestedQuantity({ par: 24, forecast: 2.5, onHand: 20, incoming: 0, packFactor: 1 })).toEqual({ quantity: 7, packs: 7 });
  expect(suggestedQuantity({ par: 24, forecast: 12, onHand: 30, incoming: 6, packFactor: 12 })).toEqual({ quantity: 0, packs: 0 });
});

describe('in chat', () => {
  beforeAll(async () => {
    h = await startHarness({ features: [stockFeature], clock });
    chat = stockChat(h, clock);
    const db = h.app.db;
    await importMasterData(db, 'stores', 'code,name\nS1,一店\n', 'csv');
    await importMasterData(db, 'staff', 'userid,name,store,role\nboss,王店长,S1,店长\nzhang,张三,S1,店员\n', 'csv');
    expect(
      await importMasterData(
        db,
        'skus',
        'code,name,category,base_unit,pack_units,cost_price,supplier,lead_time_days\nMILK,牛奶,乳品,盒,箱=12,6,光明乳业,2\nCREAM,奶油,乳品,盒,箱=12,28,光明乳业,2\nTEA,红茶,茶叶,袋,箱=20,2,茶叶商,3\nSUGAR,白糖,辅料,袋,,3,,\n',
        'csv',
      ),
    ).toMatchObject({ ok: true });
    expect(await importMasterData(db, 'sku-settings', 'store,sku,safety_stock,max_daily_loss,par_level\nS1,MILK,0,0,24\nS1,CREAM,0,0,20\nS1,TEA,0,0,60\nS1,SUGAR,0,0,50\n', 'csv')).toMatchObject({
      ok: true,
    });
    // Two weeks ago: stock in; every day since, to yesterday, 牛奶 sells 6, the rest nothing.
    const start = clock.now().getTime() - 14 * DAY;
    const move = (skuCode: string, kind: NewMove['kind'], quantity: number, at: number): NewMove => ({
      storeCode: 'S1',
      skuCode,
      kind,
      quantity,
      occurredAt: new Date(at),
      recordedAt: new Date(at),
      source: kind === 'sale' ? 'pos' : 'chat',
      externalId: `${skuCode}:${kind}:${at}`,
    });
    const rules = new Map(['MILK', 'CREAM', 'TEA', 'SUGAR'].map((code) => [code, { baseUnit: code === 'TEA' || code === 'SUGAR' ? '袋' : '盒', allowNegative: true }]));
    const moves = [move('MILK', 'receipt', 100, start), move('CREAM', 'receipt', 30, start), move('TEA', 'receipt', 50, start), move('SUGAR', 'receipt', 0.5, start)];
    for (let d = 0; d < 14; d++) moves.push(move('MILK', 'sale', -6, start + d * DAY + 3_600_000));
    await db.$transaction((tx) => bookMoves(tx, h.app.config, moves, rules, clock.now()));
    // 10盒 of 牛奶 announced for tomorrow: on its way.
    await db.stockDelivery.create({
      data: {
        id: 'ERP-1',
        source: 'erp',
        storeCode: 'S1',
        expectedAt: new Date(clock.now().getTime() + DAY),
        createdAt: clock.now(),
        updatedAt: clock.now(),
        lines: { create: [{ lineNo: 1, skuCode: 'MILK', quantity: 10, unitQuantity: 10, unit: '盒' }] },
      },
    });
  }, 120_000);
  afterAll(() => h.stop());

  it('refuses a bad lead time in the SKU file, naming the line', async () => {
    const result = await importMasterData(h.app.db, 'skus', 'code,name,category,base_unit,cost_price,lead_time_days\nMILK,牛奶,乳品,盒,6,两天\n', 'csv');
    expect(result).toMatchObject({ ok: false });
    expect(JSON.stringify(result)).toContain('到货天数 lead_time_days必须是 0–365 的整数天');
  });

  it('suggests each supplier’s order to the manager, and records the one they confirm, once', async () => {
    expect(words(await chat.say('zhang', '建议订货'))).toContain('建议订货由店长');
    const before = h.fake.inbox('boss').length;
    await chat.say('boss', '建议订货');
    const [summary, ...cards] = h.fake.inbox('boss').slice(before);
    // 牛奶: 24 + 2 days × 6 − 16 on hand − 10 on its way = 10 → one 箱 of 12. 红茶: 60 + 0 − 50 = 10 → one 箱 of 20.
    // 奶油 has more than its par; 白糖 has no supplier.
    expect(words(summary)).toBe(
      [
        '一店 建议订货（标准库存 + 到货前预计用量 − 现有 − 在途，按整包装取整）：',
        '【光明乳业】',
        '牛奶 1箱（12盒）：标准 24 + 2 天用量 12 − 现有 16 − 在途 10盒',
        '【茶叶商】',
        '红茶 1箱（20袋）：标准 60 + 3 天用量 0 − 现有 50袋',
        '在卡片上点「确认订货」记下订货单。',
      ].join('\n'),
    );
    expect(cards.map((c) => (c.body.main_title as { title: string }).title)).toEqual(['向光明乳业订货：1 项', '向茶叶商订货：1 项']);

    const confirmed = await chat.tap('boss', cards[0], '确认订货');
    expect(words(confirmed)).toBe('已记下订货单 #1：向光明乳业订 牛奶 1箱（12盒）。');
    expect(words(await chat.tap('boss', cards[0], '确认订货'))).toContain('已经确认过了');
    const orders = await h.app.db.stockOrder.findMany({ orderBy: { id: 'asc' } });
    expect(orders.map((o) => [o.supplier, o.status, o.confirmedBy])).toEqual([
      ['光明乳业', 'confirmed', 'boss'],
      ['茶叶商', 'suggested', null],
    ]);
    expect(orders[0].lines).toEqual([{ sku: 'MILK', name: '牛奶', unit: '盒', quantity: 12, packs: 1, packUnit: '箱', par: 24, forecast: 12, onHand: 16, incoming: 10, leadTimeDays: 2 }]);

    // Asked again, the confirmed order is pointed out: it has no delivery notice yet.
    await chat.say('boss', '建议订货');
    expect(words(h.fake.inbox('boss').findLast((m) => words(m).includes('建议订货（'))!)).toContain('注意：到货期内已确认的订货单 #1（光明乳业');
  });
});
