import fs from 'node:fs';
import { checklistTemplate, implausibleAnswer, judgeNumber, readNumber } from '../../../src/features/handover/checklist';
import { currentTemplate, DEFAULT_CHECKLIST_FILE, importChecklist } from '../../../src/features/handover/templates';
import { startHandoverHarness, type Chat } from './chat';

// Whole conversations through the callback path: slow on a loaded 2-core machine.
jest.setTimeout(120_000);
const now = new Date('2026-11-25T06:00:00Z');
const defaults = () => JSON.parse(fs.readFileSync(DEFAULT_CHECKLIST_FILE, 'utf8')) as { items: Record<string, unknown>[] } & Record<string, unknown>;

describe('rules', () => {
  it('ships a 12-item default with every kind', () => {
    const template = checklistTemplate.parse(defaults());
    expect(template.items).toHaveLength(12);
    expect(new Set(template.items.map((i) => i.kind))).toEqual(new Set(['number', 'sku_count', 'yes_no', 'photo', 'text']));
  });

  it('judges numbers by range, by expected value with tolerance, and counts against the book', () => {
    const template = checklistTemplate.parse(defaults());
    const item = (key: string) => template.items.find((i) => i.key === key)!;
    expect(judgeNumber(item('cash_drawer'), 505)).toEqual({ status: 'ok' });
    expect(judgeNumber(item('cash_drawer'), 450)).toEqual({ status: 'flagged', finding: '应为 500元，差 -50元', cashDifference: -50 });
    expect(judgeNumber(item('fridge_temp'), 11)).toEqual({ status: 'flagged', finding: '高于上限 8℃', fault: true });
    expect(judgeNumber(item('key_materials'), 23, 24)).toEqual({ status: 'ok' });
    expect(judgeNumber(item('key_materials'), 20, 24)).toEqual({ status: 'flagged', finding: '与账面 24 相差 -4' });
  });

  it('reads numbers typed in chat', () => {
    expect(readNumber('1,234.5元')).toBe(1234.5);
    expect(readNumber('-2℃')).toBe(-2);
    expect(readNumber('12 箱子坏了')).toBeNull();
    expect(readNumber('没看')).toBeNull();
    // Chinese numerals, as staff say them.
    expect([readNumber('五百'), readNumber('一千二'), readNumber('三百五十块'), readNumber('五百块钱'), readNumber('三个'), readNumber('负五百')]).toEqual([500, 1200, 350, 500, 3, -500]);
    // Full-width digits, the item's own name before the number, and a unit that is not the item's.
    const cash = { unit: '元', label: '钱箱现金' };
    expect([readNumber('５００', cash), readNumber('钱箱500', cash), readNumber('500块', cash), readNumber('500箱', cash), readNumber('少了500', cash)]).toEqual([500, 500, 500, null, null]);
    expect([readNumber('4度', { unit: '℃' }), readNumber('2箱', { unit: '盒' }), readNumber('两箱', { unit: '盒', packs: [{ unit: '箱', factor: 12 }] })]).toEqual([4, null, 24]);
  });

  it('refuses answers that cannot be real, saying what is expected', () => {
    const template = checklistTemplate.parse(defaults());
    const item = (key: string) => template.items.find((i) => i.key === key)!;
    expect(implausibleAnswer(item('cash_drawer'), -500, '钱箱现金', '元')).toBe('「钱箱现金」不能是负数（你填的是 -500元）。请核对后重新回复数字，例如：500');
    expect(implausibleAnswer(item('cash_drawer'), 50_001, '钱箱现金', '元')).toBe('「钱箱现金」填的是 50001元，不太可能（应为 500元 左右）。请核对后重新回复数字，例如：500');
    expect(implausibleAnswer(item('cash_drawer'), 3000, '钱箱现金', '元')).toBeNull(); // a difference, flagged when judged
    expect(implausibleAnswer(item('fridge_temp'), 200, '冷藏柜温度', '℃')).toBe('「冷藏柜温度」填的是 200℃，不太可能（正常 0–8℃）。请核对后重新回复数字，例如：4');
    expect(implausibleAnswer(item('fridge_temp'), -2, '冷藏柜温度', '℃')).toBeNull();
    // A counted SKU's book is never in the answer: the colleague counts without being told it.
    expect(implausibleAnswer(item('key_materials'), -1, '重点物料·牛奶', '盒', 24)).toBe('「重点物料·牛奶」不能是负数（你填的是 -1盒）。请核对后重新回复数字，例如：12');
    expect(implausibleAnswer(item('key_materials'), 2401, '重点物料·牛奶', '盒', 24)).toBe('「重点物料·牛奶」填的是 2401盒，不太可能。请核对后重新回复数字，例如：12');
    expect(implausibleAnswer(item('key_materials'), 0, '重点物料·牛奶', '盒', 24)).toBeNull();
  });
});

describe('import and versions', () => {
  let chat: Chat;
  beforeAll(async () => {
    chat = await startHandoverHarness();
  });
  afterAll(() => chat.stop());

  it('reports every problem and writes nothing', async () => {
    const bad = defaults();
    bad.store = 'S9';
    bad.items = [
      ...bad.items,
      { key: 'cash_drawer', label: '重复', kind: 'text' },
      { key: 'temp', label: '温度', kind: 'number', min: 9, max: 2 },
      { key: 'x', label: '物料', kind: 'sku_count', skus: ['NOPE'] },
    ];
    const outcome = await importChecklist(chat.db, JSON.stringify(bad), now);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.problems).toEqual(expect.arrayContaining([expect.stringContaining('清单项 key「cash_drawer」重复'), expect.stringContaining('min 不能大于 max')]));
    const unknowns = await importChecklist(chat.db, JSON.stringify({ ...defaults(), store: 'S9', items: [{ key: 'x', label: '物料', kind: 'sku_count', skus: ['NOPE'] }] }), now);
    expect(!unknowns.ok && unknowns.problems).toEqual(['store: 门店 S9 不存在，请先导入门店', 'items: 商品 NOPE 不在商品目录里']);
    expect(await chat.db.checklistTemplate.count()).toBe(0);
  });

  it('versions the chain default and a store template; a handover keeps the version it started with', async () => {
    expect(await importChecklist(chat.db, JSON.stringify(defaults()), now)).toEqual({ ok: true, scope: '*', version: 1, created: true, items: 12 });
    expect(await importChecklist(chat.db, JSON.stringify(defaults()), now)).toEqual({ ok: true, scope: '*', version: 1, created: false, items: 12 });

    await chat.say('liqiang', '交班');
    const started = await chat.db.handover.findFirstOrThrow({ where: { outgoingUserid: 'liqiang' } });
    expect(started).toMatchObject({ templateScope: '*', templateVersion: 1 });

    const shorter = { ...defaults(), store: 'S1', name: '一店清单', items: defaults().items.slice(0, 2) };
    expect(await importChecklist(chat.db, JSON.stringify(shorter), now)).toEqual({ ok: true, scope: 'S1', version: 1, created: true, items: 2 });
    expect((await currentTemplate(chat.db, 'S1', now)).template.name).toBe('一店清单');
    expect((await currentTemplate(chat.db, 'S2', now)).template.name).toBe('标准交班清单');

    // The handover in progress goes on with its own version's 14 questions.
    expect((await chat.say('liqiang', '500')).body).toMatchObject({ main_title: { title: '2/14 备用金' } });
    await chat.say('xiaomei', '交班');
    expect(chat.card('xiaomei').body).toMatchObject({ main_title: { title: '1/2 钱箱现金' } });
  });
});
