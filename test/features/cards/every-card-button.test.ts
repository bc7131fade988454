import { importMasterData } from '../../../src/features/masterdata/import';
import { walkCards } from '../../helpers/card-walker';
import { importShortChecklist, startHandoverHarness, type Chat } from '../handover/chat';

/**
 * Every button of every card works after every update of its card: the cards of stock, handover,
 * work orders and tasks are each tapped by the person they went to, as that person sees them
 * after the bot's updates, and so are the cards those taps update or send. No tap may end in a
 * handler failure, an error text, a card WeCom refuses, or a button nothing answers. (Members
 * sends no cards: its coupon messages are confirmed in WeCom's 群发助手, not on a card of ours.)
 */
// Whole conversations through the callback path: slow on a loaded 2-core machine.
jest.setTimeout(300_000);
let chat: Chat;
beforeAll(async () => {
  chat = await startHandoverHarness();
  await importShortChecklist(chat);
  await importMasterData(chat.db, 'sku-settings', 'store,sku,safety_stock,max_daily_loss\nS1,MILK,0,5\n', 'csv');
});
afterAll(() => chat.stop());

const expectWalkClean = async () => {
  const { taps, problems } = await walkCards(chat.h, chat.clock, { maxTaps: 200 });
  expect(problems).toEqual([]);
  return taps;
};

it('answers every button of every card, after every update', async () => {
  await chat.say('xiaomei', '入库 牛奶 1箱');
  await chat.say('xiaomei', '报损 牛奶 8盒');
  await chat.say('xiaomei', '报修 制冰机不出冰了');
  // The repairer takes it on first: their card becomes 更新进度 / 已修好, which the walk taps.
  await chat.tap('fixer', chat.card('fixer'), '受理');
  await chat.say('zhou', '任务 明天18点前 清洁制冰机 @李强');
  await chat.say('xiaomei', '交班');
  const taps = await expectWalkClean();
  expect(taps.filter((t) => t.includes('(fixer, workorder.close:'))).not.toHaveLength(0);
  expect(taps.filter((t) => t.includes('workorder.progress:'))).not.toHaveLength(0);

  // The ladders' reminders and escalations, a day on.
  chat.clock.advance(26 * 3_600_000);
  await chat.say('xiaomei', '报修 烤箱门关不严');
  for (let i = 0; i < 3; i++) await chat.walk();
  await expectWalkClean();
});
