import { importShortChecklist, startHandoverHarness, type Chat } from './chat';

/** 取消交班 / 退出交班: a way out of a half-filled handover, saying what happens to what was filled. */
// Whole conversations through the callback path: slow on a loaded 2-core machine.
jest.setTimeout(120_000);
let chat: Chat;
beforeAll(async () => {
  chat = await startHandoverHarness();
  await importShortChecklist(chat);
});
afterAll(() => chat.stop());

it('cancels the handover being filled: the answers stay on record, go to nobody, and the next 交班 starts again', async () => {
  await chat.say('xiaomei', '交班');
  const ice = await chat.say('xiaomei', '500');
  expect(ice.body.main_title).toMatchObject({ title: '2/3 制冰机' });
  const notes = await chat.tap('xiaomei', ice, '异常'); // opens a work order
  expect(notes.body.main_title).toMatchObject({ title: '3/3 交班备注' });

  const handover = await chat.db.handover.findFirstOrThrow({ where: { outgoingUserid: 'xiaomei' } });
  expect((await chat.say('xiaomei', '取消交班')).body.content).toBe(
    `已取消交班 #${handover.id}。已填的 2 项（钱箱现金、制冰机）留在交班记录里，不会交给接班同事；已开的 1 张维修工单照常处理。要交班请重新发「交班」，从第 1 项开始。`,
  );
  expect(await chat.db.handover.findUniqueOrThrow({ where: { id: handover.id } })).toMatchObject({ state: 'cancelled', incomingUserid: null });
  expect((await chat.db.handoverLog.findFirstOrThrow({ where: { handoverId: handover.id }, orderBy: { seq: 'desc' } })).step).toBe('cancelled');
  expect(await chat.db.workOrder.count({ where: { state: 'open' } })).toBe(1);

  // Texts are no longer read as answers; the old card says the handover is cancelled.
  expect((await chat.say('xiaomei', '入库 牛奶 2箱')).body.main_title).toMatchObject({ title: '已入库 牛奶 2箱（24盒）' });
  expect((await chat.tap('xiaomei', notes, '无')).body.content).toBe('这个交班已经取消了；要交班请重新发「交班」。');
  expect((await chat.say('xiaomei', '退出交班')).body.content).toBe('你现在没有在填的交班。');

  expect((await chat.say('xiaomei', '交班')).body.main_title).toMatchObject({ title: '1/3 钱箱现金' });
  expect((await chat.say('xiaomei', '退出交班')).body.content).toMatch(/^已取消交班 #\d+。还没有填任何一项。要交班请重新发「交班」，从第 1 项开始。$/);
});
