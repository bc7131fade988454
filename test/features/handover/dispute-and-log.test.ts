import { importMasterData } from '../../../src/features/masterdata/import';
import { entryHash, verifyChain } from '../../../src/features/handover/log';
import { importShortChecklist, startHandoverHarness, type Chat } from './chat';

/**
 * A cash difference and a dispute go to the store manager, who resolves them on a card; the
 * manager reads the store's last handovers with the chain check, and an edited log row is caught.
 */
// Whole conversations through the callback path: slow on a loaded 2-core machine.
jest.setTimeout(120_000);
let chat: Chat;
beforeAll(async () => {
  chat = await startHandoverHarness();
  await importShortChecklist(chat);
});
afterAll(() => chat.stop());

async function handOver(cash: string) {
  await chat.say('xiaomei', '交班');
  let card = await chat.say('xiaomei', cash);
  card = await chat.tap('xiaomei', card, '正常');
  card = await chat.tap('xiaomei', card, '无');
  await chat.tap('xiaomei', card, '李强');
}

it('sends a cash difference beyond tolerance and a dispute to the store manager, who resolves them', async () => {
  await handOver('450');
  expect(chat.h.fake.inbox('xiaomei').map((m) => m.body.content)).toContain('⚠️ 钱箱现金：应为 500元，差 -50元');
  await chat.walk(); // the task engine sends the manager's card
  const cashCard = chat.card('zhou');
  expect(cashCard.body).toMatchObject({ main_title: { title: '一店 · 人民路 交班现金差异' }, sub_title_text: '负责人：周店长\n钱箱现金：应为 500元，差 -50元', button_list: [{ text: '已处理' }] });

  // Item by item: the cash is disputed, the rest confirmed; a dispute needs a note or a photo.
  const review = await chat.tap('liqiang', chat.card('liqiang'), '逐项确认');
  expect(review.body).toMatchObject({ card_type: 'multiple_interaction', main_title: { title: '核对 1–3/3' } });
  const reply = await chat.tap('liqiang', review, 'submit', chat.selections(review, 'confirm', { 钱箱现金: 'dispute' }));
  expect(reply.body.content).toBe('请说明异议：回复「异议 1 说明」，也可以直接发照片。');
  expect(await chat.db.handover.findFirstOrThrow()).toMatchObject({ state: 'awaiting_incoming' });

  await chat.photo('liqiang'); // evidence for the disputed item
  expect(chat.h.fake.inbox('liqiang').map((m) => m.body.content)).toContain('照片已作为第 1 项「钱箱现金」的异议凭证。');
  expect(chat.last('liqiang').body.content).toMatch(/^交班 #\d+ 已确认，1 项异议已通知店长处理。$/);
  expect(chat.last('xiaomei').body.content).toMatch(/^李强 已确认交班 #\d+，其中 1 项有异议，已通知店长。$/);
  await chat.walk();
  const disputeCard = chat.card('zhou');
  expect(disputeCard.body).toMatchObject({ main_title: { title: '一店 · 人民路 交班有异议（张小美→李强）' }, sub_title_text: '负责人：周店长\n1. 钱箱现金：见照片' });

  const items = await chat.db.handoverItem.findMany({ orderBy: { position: 'asc' } });
  expect(items.map((i) => i.confirmation)).toEqual(['disputed', 'confirmed', 'confirmed']);

  // Only a manager resolves.
  expect((await chat.tap('liqiang', disputeCard, '已处理')).body.content).toBe('只有本店店长或区域经理能处理交班异常。');
  expect((await chat.tap('wu', disputeCard, '已处理')).body.content).toBe('只有本店店长或区域经理能处理交班异常。');
  expect((await chat.tap('zhou', disputeCard, '已处理')).body.content).toMatch(/^交班 #\d+ 的异议已标记为处理完毕。$/);
  expect(await chat.db.handover.findFirstOrThrow()).toMatchObject({ state: 'complete', resolvedBy: 'zhou' });
  expect(await chat.db.task.findMany({ where: { kind: { startsWith: 'handover.' } }, orderBy: { id: 'asc' }, select: { kind: true, state: true } })).toEqual([
    { kind: 'handover.confirm', state: 'done' },
    { kind: 'handover.cashDifference', state: 'open' },
    { kind: 'handover.dispute', state: 'done' },
  ]);
  expect((await chat.tap('zhou', cashCard, '已处理')).body.content).toMatch(/^交班 #\d+ 的现金差异已标记为处理完毕。$/);
});

it('takes a dispute note typed in chat', async () => {
  await handOver('500');
  const reply = await chat.say('liqiang', '异议 3 冰柜门没关好，备注没写');
  expect(reply.body.content).toBe('已记录第 3 项「交班备注」的异议：冰柜门没关好，备注没写');
  await chat.tap('liqiang', chat.card('liqiang'), '全部确认');
  await chat.walk();
  expect(chat.last('liqiang').body.content).toMatch(/^交班 #\d+ 已确认，1 项异议已通知店长处理。$/);
  expect(chat.card('zhou').body).toMatchObject({ sub_title_text: '负责人：周店长\n3. 交班备注：冰柜门没关好，备注没写' });
  expect((await chat.say('liqiang', '异议 1 再说一次')).body.content).toBe('没有交给你待确认的交班。');
});

it('lists the last handovers with the chain check, and catches an edited log row', async () => {
  expect((await chat.say('xiaomei', '交班记录')).body.content).toBe('交班记录只有店长、区域经理和管理员能查看。');
  let records = String((await chat.say('zhou', '交班记录')).body.content);
  expect(records).toMatch(
    /^一店 · 人民路 最近的交班：\n#2 11月25日 14:00 张小美→李强 已完成，异议 1 项\n#1 11月25日 14:00 张小美→李强 已完成，异常 1 项，异议 1 项（已处理）\n记录链校验：完整（共 \d+ 条）$/,
  );
  expect((await chat.say('liu', '交班记录')).body.content).toContain('请写明门店');
  expect((await chat.say('liu', '交班记录 人民路')).body.content).toContain('记录链校验：完整');

  // Someone with database access rewrites the cash count of the first handover.
  const entry = await chat.db.handoverLog.findFirstOrThrow({ where: { storeCode: 'S1', step: 'answered' }, orderBy: { seq: 'asc' } });
  expect(entry.data).toMatchObject({ item: 'cash_drawer', answer: { number: 450 } });
  await chat.db.$executeRaw`UPDATE handover_log SET data = jsonb_set(data, '{answer,number}', '500') WHERE store_code = 'S1' AND seq = ${entry.seq}`;
  expect(await verifyChain(chat.db, 'S1')).toMatchObject({ ok: false, brokenAt: entry.seq, reason: `第 ${entry.seq} 条内容被改过` });
  records = String((await chat.say('zhou', '交班记录 S1')).body.content);
  expect(records).toContain(`⚠️ 记录链校验失败：第 ${entry.seq} 条内容被改过，请联系管理员`);

  // Recomputing that row's hash does not help: the next row no longer links to it.
  const edited = await chat.db.handoverLog.findUniqueOrThrow({ where: { storeCode_seq: { storeCode: 'S1', seq: entry.seq } } });
  await chat.db.handoverLog.update({ where: { storeCode_seq: { storeCode: 'S1', seq: entry.seq } }, data: { hash: entryHash(edited) } });
  expect(await verifyChain(chat.db, 'S1')).toMatchObject({ ok: false, brokenAt: entry.seq + 1, reason: `第 ${entry.seq + 1} 条与上一条不相连` });
  expect(await verifyChain(chat.db, 'S2')).toEqual({ ok: true, entries: 0 });
});

it('gives disputes and cash differences to the store manager, not to the staff on shift', async () => {
  await handOver('440');
  // A new hire and the two handing over are on shift: none of them may settle these.
  await importMasterData(chat.db, 'staff', 'userid,name,store,role,hire_date\nxiaowang,王欣,S1,店员,2026-11-18\n', 'csv');
  const shifts = await importMasterData(
    chat.db,
    'shifts',
    'store_code,userid,starts_at,ends_at\nS1,xiaomei,2026-11-25T00:00:00Z,2026-11-25T12:00:00Z\nS1,liqiang,2026-11-25T00:00:00Z,2026-11-25T12:00:00Z\nS1,xiaowang,2026-11-25T00:00:00Z,2026-11-25T12:00:00Z\n',
    'csv',
  );
  if (!shifts.ok) throw new Error(JSON.stringify(shifts.problems));
  await chat.say('liqiang', '异议 1 钱箱实际只有 440 元');
  await chat.tap('liqiang', chat.card('liqiang'), '全部确认');
  await chat.walk();
  const handover = await chat.db.handover.findFirstOrThrow({ orderBy: { id: 'desc' } });
  const tasks = await chat.db.task.findMany({ where: { sourceRef: `handover:${handover.id}`, kind: { in: ['handover.cashDifference', 'handover.dispute'] } }, orderBy: { id: 'asc' } });
  expect(tasks.map((t) => [t.kind, t.assignee])).toEqual([
    ['handover.cashDifference', 'zhou'],
    ['handover.dispute', 'zhou'],
  ]);
  const cardsOf = (user: string) =>
    chat.h.fake
      .inbox(user)
      .filter((m) => m.msgtype === 'template_card' && ((m.body.button_list as { key: string }[] | undefined) ?? []).some((b) => b.key.startsWith(`handover.resolve:${handover.id}:`)));
  for (const user of ['xiaomei', 'liqiang', 'xiaowang']) expect(cardsOf(user)).toEqual([]);
  expect(cardsOf('zhou').map((c) => (c.body.main_title as { title: string }).title)).toEqual(['一店 · 人民路 交班现金差异', '一店 · 人民路 交班有异议（张小美→李强）']);
  const mine = String((await chat.say('zhou', '我的任务')).body.content);
  expect(mine).toContain('一店 · 人民路 交班现金差异');
  expect(mine).toContain('一店 · 人民路 交班有异议（张小美→李强）');
  // The area manager may settle them too (the same rule), the new hire may not.
  expect((await chat.tap('xiaowang', cardsOf('zhou')[0], '已处理')).body.content).toBe('只有本店店长或区域经理能处理交班异常。');
  expect((await chat.tap('liu', cardsOf('zhou')[1], '已处理')).body.content).toBe(`交班 #${handover.id} 的异议已标记为处理完毕。`);
  expect((await chat.tap('zhou', cardsOf('zhou')[0], '已处理')).body.content).toBe(`交班 #${handover.id} 的现金差异已标记为处理完毕。`);
});
