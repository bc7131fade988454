import { consoleMiddleware } from '../../src/console';
import { importMasterData } from '../../src/features/masterdata/import';
import { tasksFeature } from '../../src/features/tasks';
import { MANUAL_KIND } from '../../src/features/tasks/commands';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { signIn, type Member } from './helpers';

/**
 * A task given from a store's console page: opened through the task engine as the chat command's
 * kind, its card sent to the assignee through the outbox, refused with a precise 400 when the
 * form is wrong, and opened once however often the same request arrives.
 */
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z')); // Wednesday 10:00 in Shanghai
let h: Harness;
let manager: Member;
let valid: Record<string, unknown>;
let requests = 0;

beforeAll(async () => {
  h = await startHarness({ features: [tasksFeature], clock, middleware: consoleMiddleware, env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40) } });
  await importMasterData(h.app.db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\n', 'csv');
  await importMasterData(h.app.db, 'staff', 'userid,name,store,role,area\nxiaomei,张小美,S1,店员,\nwangfang,王芳,S1,店长,\nlisi,李四,S2,店员,\nchengang,陈刚,S2,店长,\nold,老员工,S1,店员,\n', 'csv');
  await h.app.db.staff.update({ where: { userid: 'old' }, data: { active: false } });
  manager = await signIn(h, 'wangfang');
}, 90_000);
afterAll(() => h.stop());

beforeEach(() => {
  valid = { title: '清洁制冰机', assignee: 'xiaomei', due: '2026-11-26T09:00', note: '用消毒水擦内壁', requestId: `req-${String(++requests).padStart(8, '0')}` };
});

const give = (body: unknown, store = 'S1') => manager.post(`/console/api/stores/${store}/tasks`, body);
const manualTasks = () => h.app.db.task.findMany({ where: { kind: MANUAL_KIND }, orderBy: { id: 'asc' } });

it('lists the store’s active staff to choose the assignee from', async () => {
  const res = await manager.get('/console/api/stores/S1/staff');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    timezone: 'Asia/Shanghai',
    staff: [
      { userid: 'xiaomei', name: '张小美', role: 'staff', roleName: '店员' },
      { userid: 'wangfang', name: '王芳', role: 'store_manager', roleName: '店长' },
    ],
  });
});

it('opens the task through the engine, due at the wall-clock time in the chain time zone, and sends the assignee its card', async () => {
  const res = await give(valid);
  expect(res.status).toBe(201);
  const body = (await res.json()) as { id: string; created: boolean };
  expect(body).toMatchObject({ title: '清洁制冰机', assignee: 'xiaomei', dueAt: '2026-11-26T01:00:00.000Z', state: 'open', created: true });
  const [task] = await manualTasks();
  expect(task).toMatchObject({
    id: BigInt(body.id),
    kind: 'tasks.manual',
    storeCode: 'S1',
    assignee: 'xiaomei',
    title: '清洁制冰机',
    detail: '用消毒水擦内壁',
    dueAt: new Date('2026-11-26T01:00:00Z'),
    createdBy: 'wangfang',
    ladder: 'default',
    state: 'open',
  });
  const outbox = await h.app.db.outboxMessage.findMany({ where: { recipient: 'xiaomei' } });
  expect(outbox.map((o) => [o.kind, o.idempotencyKey])).toEqual([['template_card', `task:${task.id}:step:-1:xiaomei`]]);
  await h.settle();
  const cards = h.fake.inbox('xiaomei').filter((m) => m.msgtype === 'template_card');
  expect(cards).toHaveLength(1);
  expect(cards[0].body).toMatchObject({ main_title: { title: '清洁制冰机', desc: '一店 · 截止 11月26日 09:00' } });
  // It is in the store's task list on the page.
  const list = (await (await manager.get('/console/api/stores/S1/sections/tasks')).json()) as { rows: { id: string; cells: Record<string, unknown> }[] };
  expect(list.rows.find((r) => r.id === body.id)?.cells).toMatchObject({ title: '清洁制冰机', assignee: '张小美', state: '待处理' });
});

it('opens one task and sends one card when the same request arrives twice, even at once', async () => {
  const [first, second] = await Promise.all([give(valid), give(valid)]);
  const third = await give(valid);
  expect([first.status, second.status].sort()).toEqual([200, 201]);
  expect(third.status).toBe(200);
  const ids = new Set(await Promise.all([first, second, third].map(async (r) => ((await r.json()) as { id: string }).id)));
  expect(ids.size).toBe(1);
  const task = await h.app.db.task.findUniqueOrThrow({ where: { id: BigInt([...ids][0]) } });
  expect(await h.app.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: `task:${task.id}:` } } })).toBe(1);
  // A new form (a new request id) is a new task.
  expect((await give({ ...valid, requestId: 'another-request-1' })).status).toBe(201);
});

it.each([
  ['an empty title', { title: '   ' }, 'empty_title'],
  ['a title of two lines', { title: '清洁\n制冰机' }, 'bad_title'],
  ['no assignee', { assignee: '' }, 'missing_assignee'],
  ['an unreadable due time', { due: '明天' }, 'bad_due'],
  ['a due time in the past', { due: '2026-11-25T09:59' }, 'due_in_past'],
  ['an impossible date', { due: '2026-02-30T09:00' }, 'bad_due'],
  ['an unknown assignee', { assignee: 'ghost' }, 'unknown_assignee'],
  ['an assignee no longer active', { assignee: 'old' }, 'unknown_assignee'],
  ['an assignee of another store', { assignee: 'lisi' }, 'assignee_not_in_store'],
  ['no request id', { requestId: undefined }, 'bad_request_id'],
])('refuses %s with a 400 that says so, and opens nothing', async (_, change, code) => {
  const before = (await manualTasks()).length;
  const res = await give({ ...valid, ...change });
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: string; message: string };
  expect(body.error).toBe(code);
  expect(body.message).toMatch(/[\u4e00-\u9fff]/);
  expect((await manualTasks()).length).toBe(before);
});

it('refuses a store the manager may not see (403), a request without the CSRF token, and a non-JSON body', async () => {
  expect((await give({ ...valid, assignee: 'lisi' }, 'S2')).status).toBe(403);
  expect((await manager.post('/console/api/stores/S1/tasks', valid, { 'x-csrf-token': '' })).status).toBe(403);
  expect((await manager.post('/console/api/stores/S1/tasks', valid, { 'content-type': 'text/plain' })).status).toBe(415);
  expect(await h.app.db.task.count({ where: { storeCode: 'S2' } })).toBe(0);
});
