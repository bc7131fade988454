import { consoleMiddleware } from '../../src/console';
import { importMasterData } from '../../src/features/masterdata/import';
import { openTask, tasksFeature } from '../../src/features/tasks';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { signIn, type Member } from './helpers';

/** Acting on a store's tasks from the console goes through the task engine, cards included. */
const clock = new TestClock(Date.parse('2026-11-25T02:00:00Z')); // 10:00 Shanghai
let h: Harness;
let manager: Member;
type Table = { rows: { id: string; cells: Record<string, unknown>; actions: { key: string }[] }[] };

beforeAll(async () => {
  h = await startHarness({ features: [tasksFeature], clock, middleware: consoleMiddleware, env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40) } });
  await importMasterData(h.app.db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\n', 'csv');
  await importMasterData(h.app.db, 'staff', 'userid,name,store,role,area\nxiaomei,张小美,S1,店员,\nwangfang,王芳,S1,店长,\nchengang,陈刚,S2,店长,\n', 'csv');
  const now = clock.now();
  await openTask(h.app.db, { kind: 'manual.clean', sourceRef: 'ice-machine', storeCode: 'S1', assignee: 'xiaomei', title: '清洁制冰机', dueAt: now }, { now });
  await openTask(
    h.app.db,
    {
      kind: 'stock.lateDelivery',
      sourceRef: 'delivery:ERP-1',
      storeCode: 'S1',
      assignee: 'xiaomei',
      title: '到货未入库：奶油 20箱',
      dueAt: now,
      actions: [{ key: 'stock.bookDelivery:ERP-1', label: '去入库' }],
    },
    { now },
  );
  await openTask(h.app.db, { kind: 'manual.clean', sourceRef: 's2-floor', storeCode: 'S2', assignee: null, title: '拖地', dueAt: now }, { now });
  // The walker sends the due cards, so there is a card to update in place.
  await h.app.scheduler.runJob(
    h.app.bot.jobs.find((j) => j.name === 'tasks.walkDue')!,
    now,
  );
  await h.settle();
  manager = await signIn(h, 'wangfang');
}, 90_000);
afterAll(() => h.stop());

const tasks = async () => (await (await manager.get('/console/api/stores/S1/sections/tasks')).json()) as Table;
const act = (id: string, action: string) => manager.post(`/console/api/stores/S1/sections/tasks/rows/${id}/${action}`);

it('lists the store’s tasks with the actions each allows', async () => {
  const { rows } = await tasks();
  expect(rows.map((r) => [r.cells.title, r.cells.state, r.actions.map((a) => a.key)])).toEqual([
    ['清洁制冰机', '待处理', ['ack', 'done']],
    ['到货未入库：奶油 20箱', '待处理', ['ack']],
  ]);
});

it('acknowledges and completes a task through the engine, and the assignee’s card is updated in place', async () => {
  const task = (await tasks()).rows.find((r) => r.cells.title === '清洁制冰机')!;
  clock.advance(5 * 60_000);
  expect((await act(task.id, 'ack')).status).toBe(200);
  expect(await h.app.db.task.findUniqueOrThrow({ where: { id: BigInt(task.id) } })).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'wangfang' });
  expect((await act(task.id, 'done')).status).toBe(200);
  expect(await h.app.db.task.findUniqueOrThrow({ where: { id: BigInt(task.id) } })).toMatchObject({ state: 'done', closedBy: 'wangfang' });
  const history = await h.app.db.taskEvent.findMany({ where: { taskId: BigInt(task.id) }, orderBy: { id: 'asc' } });
  expect(history.map((e) => [e.action, e.by])).toEqual([
    ['opened', null],
    ['acknowledged', 'wangfang'],
    ['done', 'wangfang'],
  ]);
  await h.settle();
  expect(h.fake.callsTo('message/update_template_card').length).toBeGreaterThan(0);
  // Done twice is refused with the reason, and changes nothing.
  const again = await act(task.id, 'done');
  expect(again.status).toBe(409);
  expect(((await again.json()) as { message: string }).message).toContain('已完成');
});

it('leaves a task with its feature’s own buttons to be finished there', async () => {
  const task = (await tasks()).rows.find((r) => r.cells.title === '到货未入库：奶油 20箱')!;
  const res = await act(task.id, 'done');
  expect(res.status).toBe(409);
  expect((await h.app.db.task.findUniqueOrThrow({ where: { id: BigInt(task.id) } })).state).toBe('open');
});

it('cannot reach another store’s task through its own store', async () => {
  const other = await h.app.db.task.findFirstOrThrow({ where: { storeCode: 'S2' } });
  expect((await act(String(other.id), 'done')).status).toBe(404);
  expect((await manager.post(`/console/api/stores/S2/sections/tasks/rows/${other.id}/done`)).status).toBe(403);
  expect((await h.app.db.task.findUniqueOrThrow({ where: { id: other.id } })).state).toBe('open');
});
