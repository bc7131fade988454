import { helpFeature } from '../../../src/features/help';
import { currentRepairSetup, equipmentNames, handoverFeature } from '../../../src/features/handover';
import { importChecklist } from '../../../src/features/handover/templates';
import { stockFeature } from '../../../src/features/stock';
import { tasksFeature } from '../../../src/features/tasks';
import { workOrdersFeature } from '../../../src/features/workorders';
import { startHandoverHarness, type Chat } from './chat';

/**
 * While a handover item waits for the outgoing colleague, whatever they type is that item's
 * answer — numbers in Chinese too, notes without 填 — and values that cannot be real are refused
 * with what is expected; stock commands wait, 帮助 and the exit words still work.
 */
// Whole conversations through the callback path: slow on a loaded 2-core machine.
jest.setTimeout(120_000);
let chat: Chat;
beforeAll(async () => {
  chat = await startHandoverHarness({ features: [tasksFeature, handoverFeature, workOrdersFeature(currentRepairSetup, equipmentNames), stockFeature, helpFeature] });
  const template = {
    store: 'S1',
    name: '数字清单',
    items: [
      { key: 'cash_drawer', label: '钱箱现金', kind: 'number', unit: '元', expected: 500, tolerance: 10, cash: true },
      { key: 'petty_cash', label: '备用金', kind: 'number', unit: '元', expected: 1000, tolerance: 0, cash: true },
      { key: 'fridge_temp', label: '冷藏柜温度', kind: 'number', unit: '℃', min: 0, max: 8 },
      { key: 'key_materials', label: '重点物料', kind: 'sku_count', skus: ['MILK'] },
      { key: 'notes', label: '交班备注', kind: 'text' },
    ],
  };
  const outcome = await importChecklist(chat.db, JSON.stringify(template), chat.clock.now());
  if (!outcome.ok) throw new Error(outcome.problems.join('; '));
});
afterAll(() => chat.stop());

const text = async (user: string, message: string) => String((await chat.say(user, message)).body.content ?? '');
const title = async (user: string, message: string) => (await chat.say(user, message)).body.main_title;
const items = async () => {
  const handover = await chat.db.handover.findFirstOrThrow({ where: { outgoingUserid: 'xiaomei' }, orderBy: { id: 'desc' }, include: { items: { orderBy: { position: 'asc' } } } });
  return handover.items.map((i) => [i.itemKey, i.status, i.answer]);
};

it('reads every text as the answer to the item being asked, and refuses what cannot be real', async () => {
  expect((await chat.say('xiaomei', '交班')).body.main_title).toMatchObject({ title: '1/5 钱箱现金' });

  // Negative cash, a stock command and an absurd amount are refused, saying what is expected.
  expect(await text('xiaomei', '-500')).toBe('「钱箱现金」不能是负数（你填的是 -500元）。请核对后重新回复数字，例如：500');
  expect(await text('xiaomei', '入库 牛奶 2箱')).toBe('「钱箱现金」要回复数字（元），例如：500。不交班了请发「取消交班」。');
  expect(await chat.db.stockMove.count()).toBe(0);
  expect(await text('xiaomei', '500000')).toBe('「钱箱现金」填的是 500000元，不太可能（应为 500元 左右）。请核对后重新回复数字，例如：500');
  expect(await items()).toEqual([
    ['cash_drawer', 'pending', null],
    ['petty_cash', 'pending', null],
    ['fridge_temp', 'pending', null],
    ['key_materials/MILK', 'pending', null],
    ['notes', 'pending', null],
  ]);

  // Chinese numerals, as people say them: 五百, 一千二.
  expect(await title('xiaomei', '五百')).toMatchObject({ title: '2/5 备用金' });
  expect(await title('xiaomei', '一千二')).toMatchObject({ title: '3/5 冷藏柜温度' });
  expect(chat.h.fake.inbox('xiaomei').at(-2)!.body.content).toBe('⚠️ 备用金：应为 1000元，差 +200元');

  expect(await text('xiaomei', '200')).toBe('「冷藏柜温度」填的是 200℃，不太可能（正常 0–8℃）。请核对后重新回复数字，例如：4');
  expect(await title('xiaomei', '三度')).toMatchObject({ title: '4/5 重点物料·牛奶' });
  expect(await text('xiaomei', '-1')).toBe('「重点物料·牛奶」不能是负数（你填的是 -1盒）。请核对后重新回复数字，例如：12');
  expect(await text('xiaomei', '没数')).toBe('「重点物料·牛奶」要回复数字（盒），例如：12。不交班了请发「取消交班」。');
  expect(await title('xiaomei', '零')).toMatchObject({ title: '5/5 交班备注' });

  // 帮助 still answers with the list of commands; a note needs no 填, even one that reads like a command.
  expect(await text('xiaomei', '帮助')).toMatch(/^我能帮你做这些：/);
  expect(await title('xiaomei', '入库 牛奶 2箱 下午到，供应商说会晚')).toMatchObject({ title: '交给谁？' });
  expect(await chat.db.stockMove.count()).toBe(0);
  expect(await items()).toEqual([
    ['cash_drawer', 'ok', { number: 500, expected: 500 }],
    ['petty_cash', 'flagged', { number: 1200, expected: 1000 }],
    ['fridge_temp', 'ok', { number: 3 }],
    ['key_materials/MILK', 'ok', { number: 0, book: 0 }],
    ['notes', 'ok', { text: '入库 牛奶 2箱 下午到，供应商说会晚' }],
  ]);

  // Nothing is waiting any more: stock commands are stock commands again.
  expect((await chat.say('xiaomei', '入库 牛奶 2箱')).body.main_title).toMatchObject({ title: '已入库 牛奶 2箱（24盒）' });
});

it('reads 正常 typed for the yes/no items on the card, and a fault only when it names its item', async () => {
  const template = {
    store: 'S1',
    name: '设备清单',
    equipment: { ice_machine: '制冰机', oven: '烤箱' },
    maintenance: { byEquipment: { ice_machine: 'fixer', oven: 'fixer' } },
    items: [
      { key: 'ice_machine', label: '制冰机', kind: 'yes_no', equipment: 'ice_machine' },
      { key: 'oven', label: '烤箱', kind: 'yes_no', equipment: 'oven' },
      { key: 'door', label: '后门', kind: 'yes_no' },
      { key: 'notes', label: '交班备注', kind: 'text' },
    ],
  };
  const outcome = await importChecklist(chat.db, JSON.stringify(template), chat.clock.now());
  if (!outcome.ok) throw new Error(outcome.problems.join('; '));
  const handoverItems = async () =>
    (await chat.db.handover.findFirstOrThrow({ where: { outgoingUserid: 'liqiang' }, orderBy: { id: 'desc' }, include: { items: { orderBy: { position: 'asc' } } } })).items.map((i) => [
      i.itemKey,
      i.status,
      i.answer,
    ]);

  expect(await title('liqiang', '交班')).toMatchObject({ title: '1–3/4 设备检查' });
  // 异常 alone cannot tell which of three: asked, nothing recorded.
  expect(await text('liqiang', '异常')).toBe('现在要填的是「制冰机」「烤箱」「后门」：在卡片上选，或都正常就回复「正常」；有异常请写是哪一项，例如：制冰机异常。不交班了请发「取消交班」。');
  // Naming it records that one item as a fault (a work order opens); the others are asked again.
  await chat.say('liqiang', '烤箱坏了 不加热');
  expect(chat.h.fake.inbox('liqiang').at(-1)!.body.main_title).toMatchObject({ title: '1/4 制冰机' });
  expect(await handoverItems()).toEqual([
    ['ice_machine', 'pending', null],
    ['oven', 'flagged', { yes: false }],
    ['door', 'pending', null],
    ['notes', 'pending', null],
  ]);
  expect(await chat.db.workOrder.count({ where: { equipment: 'oven' } })).toBe(1);
  expect(await title('liqiang', '正常')).toMatchObject({ title: '3/4 后门' });
  expect(await title('liqiang', '好的')).toMatchObject({ title: '4/4 交班备注' });
  expect((await handoverItems()).slice(0, 3)).toEqual([
    ['ice_machine', 'ok', { yes: true }],
    ['oven', 'flagged', { yes: false }],
    ['door', 'ok', { yes: true }],
  ]);
  // Started again, 都正常 answers the three on the card at once.
  await chat.say('liqiang', '取消交班');
  expect(await title('liqiang', '交班')).toMatchObject({ title: '1–3/4 设备检查' });
  expect(await title('liqiang', '都正常')).toMatchObject({ title: '4/4 交班备注' });
  expect((await handoverItems()).map((i) => i[1])).toEqual(['ok', 'ok', 'ok', 'pending']);
});
