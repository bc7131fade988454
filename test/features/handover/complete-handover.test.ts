import fs from 'node:fs';
import path from 'node:path';
import { verifyChain } from '../../../src/features/handover/log';
import { textMessage } from '../../helpers/wecom-callback';
import { startHandoverHarness, type Chat } from './chat';

/**
 * A whole handover through the encrypted callback path: the outgoing colleague answers the
 * 12-item default checklist on cards and in chat (numbers, counts against the book, a photo),
 * picks who takes over, the incoming one gets the summary with the photo and confirms.
 */
// Whole conversations through the callback path: slow on a loaded 2-core machine.
jest.setTimeout(120_000);
let chat: Chat;
beforeAll(async () => {
  chat = await startHandoverHarness();
});
afterAll(() => chat.stop());

it('walks the outgoing colleague through the checklist and hands it over for confirmation', async () => {
  await chat.say('xiaomei', '入库 牛奶 2箱'); // book: 24 盒 milk, nothing else

  let card = await chat.say('xiaomei', '交班');
  expect(card.body).toMatchObject({ card_type: 'button_interaction', main_title: { title: '1/14 钱箱现金', desc: '请直接回复数字（元）' } });
  expect(card.body.horizontal_content_list).toBeUndefined(); // no hints for someone hired long ago

  expect((await chat.say('xiaomei', '500')).body).toMatchObject({ main_title: { title: '2/14 备用金' } });
  await chat.say('xiaomei', '1000元');
  expect(chat.last('xiaomei').body).toMatchObject({ main_title: { title: '3/14 重点物料·牛奶', desc: '数一下现有数量，直接回复数字（盒）' } });
  await chat.say('xiaomei', '24');
  await chat.say('xiaomei', '2'); // cream: book 0, counted 2 → flagged
  const flagged = chat.h.fake.inbox('xiaomei').at(-2)!;
  expect(flagged.body.content).toBe('⚠️ 重点物料·奶油：与账面 0 相差 +2');
  card = await chat.say('xiaomei', '0');

  // Two yes/no items in a row are asked together.
  expect(card.body).toMatchObject({ card_type: 'multiple_interaction', main_title: { title: '6–7/14 设备检查' } });
  expect((card.body.select_list as { title: string }[]).map((q) => q.title)).toEqual(['制冰机', '烤箱']);
  card = await chat.tap('xiaomei', card, 'submit', chat.selections(card, 'ok'));
  expect(card.body).toMatchObject({ main_title: { title: '8/14 冷藏柜温度' } });
  expect((await chat.say('xiaomei', '填 没看')).body.content).toBe('「冷藏柜温度」要回复数字（℃），例如：4。不交班了请发「取消交班」。');
  card = await chat.say('xiaomei', '4℃');
  card = await chat.tap('xiaomei', card, 'submit', chat.selections(card, 'ok'));
  expect(card.body).toMatchObject({ main_title: { title: '11/14 清洁卫生', desc: '请拍照发给我' } });

  // The photo is downloaded from WeCom at once (media ids expire) and stored on disk.
  const sent = await chat.photo('xiaomei');
  expect(chat.h.fake.callsTo('media/get').map((c) => c.query.media_id)).toContain(sent.mediaId);
  const stored = await chat.db.mediaFile.findUniqueOrThrow({ where: { mediaId: sent.mediaId } });
  expect(stored.storageKey).toMatch(/^local:2026\/11\/25\/[0-9a-f]{64}\.png$/);
  expect(fs.readFileSync(path.join(chat.mediaDir, stored.storageKey.slice('local:'.length)))).toEqual(sent.bytes);

  card = chat.card('xiaomei');
  expect(card.body).toMatchObject({ main_title: { title: '12/14 未完成顾客订单' } });
  card = await chat.tap('xiaomei', card, '无');
  card = await chat.say('xiaomei', '填 下午3点 牛奶到货 2箱');
  expect(card.body).toMatchObject({ main_title: { title: '14/14 交班备注' } });
  card = await chat.tap('xiaomei', card, '无');

  // No shift schedule: the outgoing colleague picks who takes over.
  expect(card.body).toMatchObject({ main_title: { title: '交给谁？' } });
  const names = (card.body.button_list as { text: string }[]).map((b) => b.text);
  expect(names).toEqual(expect.arrayContaining(['李强', '周店长']));
  expect(names).not.toContain('张小美');
  const reply = await chat.tap('xiaomei', card, '李强');
  expect(reply.body.content).toMatch(/^交班已提交，已请 李强 在 \d\d:\d\d 前确认。$/);

  // The incoming colleague: the summary, the photo (uploaded again, a fresh media id), a card.
  const inbox = chat.h.fake.inbox('liqiang');
  const summary = inbox.find((m) => m.msgtype === 'markdown')!;
  expect(summary.body.content).toContain('张小美 于 11月25日 14:');
  expect(summary.body.content).toContain('✅ 1. 钱箱现金：500元');
  expect(summary.body.content).toContain('⚠️ 4. 重点物料·奶油：2盒（与账面 0 相差 +2）');
  expect(summary.body.content).toContain('✅ 13. 待到货：下午3点 牛奶到货 2箱');
  const picture = inbox.find((m) => m.msgtype === 'image')!;
  const mediaId = String(picture.body.media_id);
  expect(mediaId).not.toBe(sent.mediaId);
  expect(chat.h.fake.peekMedia(mediaId)!.data).toEqual(sent.bytes);
  const confirm = chat.card('liqiang');
  expect(confirm.body).toMatchObject({ main_title: { title: '张小美 交班给你', desc: '有 1 项异常，请重点核对' } });

  // Only the named colleague may confirm.
  expect((await chat.tap('zhou', confirm, '全部确认')).body.content).toBe('这个交班不是交给你的，只有接班的同事能确认。');
  expect((await chat.tap('liqiang', confirm, '全部确认')).body.content).toMatch(/^交班 #\d+ 已确认，交接完成。$/);
  expect(chat.last('xiaomei').body.content).toMatch(/^李强 已确认交班 #\d+，交接完成。$/);

  const handover = await chat.db.handover.findFirstOrThrow({ include: { items: true } });
  expect(handover).toMatchObject({ state: 'complete', outgoingUserid: 'xiaomei', incomingUserid: 'liqiang', templateScope: '*', templateVersion: 1 });
  expect(handover.items.every((i) => i.confirmation === 'confirmed' && i.confirmInboundId)).toBe(true);
  const steps = (await chat.db.handoverLog.findMany({ where: { storeCode: 'S1' }, orderBy: { seq: 'asc' } })).map((l) => l.step);
  expect(steps[0]).toBe('started');
  expect(steps.slice(-3)).toEqual(['submitted', 'confirmed', 'completed']);
  expect(await verifyChain(chat.db, 'S1')).toEqual({ ok: true, entries: steps.length });
});

it('answers a retried message once', async () => {
  const before = await chat.db.handover.count();
  const card = await chat.say('xiaomei', '交班');
  expect(await chat.db.handover.count()).toBe(before + 1);
  const xml = textMessage(chat.h.keys, 'xiaomei', '480', { msgId: '7400000000000000777' });
  for (let i = 0; i < 3; i++) await chat.h.deliver(xml, { timestamp: String(Math.floor(chat.clock.now().getTime() / 1000)) });
  await chat.h.settle();
  const handover = await chat.db.handover.findFirstOrThrow({ where: { state: 'filling' } });
  const answered = await chat.db.handoverItem.findMany({ where: { handoverId: handover.id, status: { not: 'pending' } } });
  expect(answered.map((i) => [i.itemKey, i.status, i.finding])).toEqual([['cash_drawer', 'flagged', '应为 500元，差 -20元']]);
  expect(card.body).toMatchObject({ main_title: { title: '1/14 钱箱现金' } });
});
