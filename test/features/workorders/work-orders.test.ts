import { importShortChecklist, startHandoverHarness, type Chat } from '../handover/chat';

/**
 * Work orders: 报修 with a photo (either order, within the window) reaches the store manager and
 * the maintenance contact, who acknowledge, update and close it on its card; one not
 * acknowledged in time goes to the area manager.
 */
// Whole conversations through the callback path: slow on a loaded 2-core machine.
jest.setTimeout(120_000);
let chat: Chat;
beforeAll(async () => {
  chat = await startHandoverHarness();
  await importShortChecklist(chat);
});
afterAll(() => chat.stop());

it('joins a photo sent first to the 报修 that follows, and sends the order to the manager and the repairer', async () => {
  const photo = await chat.photo('xiaomei');
  expect(chat.last('xiaomei').body.content).toBe('收到照片。要报修的话，2 分钟内发「报修 + 问题」，照片会附在工单上。');
  const reply = await chat.say('xiaomei', '报修 制冰机不出冰了，紧急');
  expect(reply.body.content).toMatch(/^已开维修工单 #1（制冰机，紧急，附照片 1 张），已通知店长和维修负责人。$/);
  const order = await chat.db.workOrder.findUniqueOrThrow({ where: { id: 1n } });
  expect(order).toMatchObject({ storeCode: 'S1', equipment: 'ice_machine', priority: 'high', state: 'open', recipients: ['zhou', 'fixer'] });
  // The photo was downloaded by media id when it arrived, and belongs to the order now.
  expect(chat.h.fake.callsTo('media/get').map((c) => c.query.media_id)).toContain(photo.mediaId);
  expect(await chat.db.mediaFile.findUniqueOrThrow({ where: { mediaId: photo.mediaId } })).toMatchObject({ workOrderId: 1n });
  for (const to of ['zhou', 'fixer']) {
    expect(chat.card(to).body).toMatchObject({
      main_title: { title: '工单 #1 一店 · 人民路', desc: '制冰机：制冰机不出冰了，紧急' },
      horizontal_content_list: [{ value: '紧急' }, { value: '待受理' }, { value: '张小美' }, { value: '1 张' }],
    });
  }
});

it('joins a photo sent shortly after 有异常, and not one sent later', async () => {
  const reply = await chat.say('liqiang', '有异常 烤箱门关不严');
  expect(reply.body.content).toContain('2 分钟内发过来会附在工单上');
  await chat.photo('liqiang');
  expect(chat.last('liqiang').body.content).toBe('照片已附在维修工单 #2 上。');
  chat.clock.advance(3 * 60_000);
  await chat.photo('liqiang');
  expect(chat.last('liqiang').body.content).toContain('收到照片。要报修的话');
  expect(await chat.db.mediaFile.count({ where: { workOrderId: 2n } })).toBe(1);
  expect(await chat.db.workOrder.findUniqueOrThrow({ where: { id: 2n } })).toMatchObject({ equipment: 'oven', priority: 'normal', recipients: ['zhou'] });
});

it('is acknowledged, updated and closed from its card by the people it was sent to', async () => {
  const card = chat.card('fixer');
  expect((await chat.tap('liqiang', card, '受理')).body.content).toBe('只有店长、维修负责人或区域经理能处理这个工单。');
  await chat.tap('fixer', card, '受理');
  expect(chat.h.fake.cardView(String(card.body.task_id), 'fixer')!.card).toMatchObject({
    horizontal_content_list: [{}, { value: '处理中' }, {}, {}],
    button_list: [{ text: '更新进度' }, { text: '已修好' }],
  });
  expect(chat.last('xiaomei').body.content).toBe('维修工单 #1 已由 王师傅 受理。');
  expect((await chat.say('fixer', '工单 1 已订配件，明早上门')).body.content).toBe('已记录工单 #1 的进度。');
  expect(chat.last('xiaomei').body.content).toBe('维修工单 #1 进度（王师傅）：已订配件，明早上门');
  await chat.tap('zhou', chat.card('zhou', 2), '已修好');
  expect(chat.last('xiaomei').body.content).toBe('维修工单 #1 已修好（周店长）。');
  expect(await chat.db.workOrder.findUniqueOrThrow({ where: { id: 1n }, include: { updates: { orderBy: { id: 'asc' } } } })).toMatchObject({
    state: 'closed',
    ackBy: 'fixer',
    closedBy: 'zhou',
    updates: [{ kind: 'opened' }, { kind: 'acknowledged' }, { kind: 'note' }, { kind: 'closed' }],
  });
  const tasks = await chat.db.task.findMany({ where: { sourceRef: 'workorder:1' }, orderBy: { id: 'asc' } });
  expect(tasks.map((t) => [t.kind, t.state])).toEqual([
    ['workorder.ack', 'done'],
    ['workorder.close', 'done'],
  ]);
  expect((await chat.say('fixer', '工单 1 再看看')).body.content).toBe('工单 #1 已完成。');
});

it('escalates a work order not acknowledged in time to the area manager', async () => {
  // Work order #2 (normal priority): acknowledge within 4 hours.
  chat.clock.advance(3 * 3_600_000);
  await chat.walk();
  expect(chat.h.fake.inbox('liu')).toHaveLength(0);
  chat.clock.advance(3_600_000 + 60_000);
  await chat.walk();
  await chat.walk();
  const escalated = chat.card('liu');
  expect(escalated.body).toMatchObject({ main_title: { title: '工单 #2 待受理' }, source: { desc: '门店助手 · 超时提醒' } });
  // No maintenance contact for ovens: the task is the store manager's (not the staff on shift's).
  expect(chat.card('zhou').body).toMatchObject({ main_title: { title: '工单 #2 待受理' } });
  expect(await chat.db.task.findMany({ where: { sourceRef: 'workorder:2' }, select: { assignee: true } })).toEqual([{ assignee: 'zhou' }, { assignee: 'zhou' }]);
  expect((await chat.say('zhou', '我的任务')).body.content).toContain('工单 #2 待受理');
  await chat.tap('liu', escalated, '受理');
  expect(await chat.db.workOrder.findUniqueOrThrow({ where: { id: 2n } })).toMatchObject({ state: 'acknowledged', ackBy: 'liu' });
  expect(await chat.db.task.findUniqueOrThrow({ where: { kind_sourceRef: { kind: 'workorder.ack', sourceRef: 'workorder:2' } } })).toMatchObject({ state: 'done', closedBy: 'liu' });
});

it('takes 受理 and 已修好 in chat as the card buttons do', async () => {
  await chat.say('xiaomei', '报修 制冰机漏水');
  const order = await chat.db.workOrder.findFirstOrThrow({ where: { description: { contains: '漏水' } } });
  const id = String(order.id);
  expect((await chat.say('liqiang', `工单 ${id} 受理`)).body.content).toBe('只有店长、维修负责人或区域经理能处理这个工单。');
  expect((await chat.say('fixer', `工单 ${id} 受理`)).body.content).toBe(`已受理维修工单 #${id}。修好后回复「工单 ${id} 已修好」或在卡片上点「已修好」。`);
  expect(chat.last('xiaomei').body.content).toBe(`维修工单 #${id} 已由 王师傅 受理。`);
  expect(await chat.db.workOrder.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({ state: 'acknowledged', ackBy: 'fixer' });
  expect((await chat.say('fixer', `工单 ${id}`)).body.content).toBe(`工单 #${id}：制冰机：制冰机漏水，处理中。`);
  expect((await chat.say('fixer', `工单 ${id} 已修好，换了进水管`)).body.content).toBe(`已关闭维修工单 #${id}（已修好），已通知报修人。`);
  expect(chat.last('xiaomei').body.content).toBe(`维修工单 #${id} 已修好（王师傅）：换了进水管`);
  expect(await chat.db.workOrder.findUniqueOrThrow({ where: { id: order.id }, include: { updates: { orderBy: { id: 'asc' } } } })).toMatchObject({
    state: 'closed',
    closedBy: 'fixer',
    updates: [{ kind: 'opened' }, { kind: 'acknowledged' }, { kind: 'closed', note: '换了进水管' }],
  });
  const tasks = await chat.db.task.findMany({ where: { sourceRef: `workorder:${id}` }, orderBy: { id: 'asc' } });
  expect(tasks.map((t) => [t.kind, t.state, t.closedBy])).toEqual([
    ['workorder.ack', 'done', 'fixer'],
    ['workorder.close', 'done', 'fixer'],
  ]);
  expect((await chat.say('fixer', `工单 ${id} 已修好`)).body.content).toBe(`工单 #${id} 已完成。`);
});
