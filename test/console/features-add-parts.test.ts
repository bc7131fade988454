import { BotRegistry } from '../../src/bot/registry';
import { loadConfig } from '../../src/config';
import { columns } from '../../src/console/types';
import { FEATURES } from '../../src/features';

/**
 * The console is generic: each feature registers its tables and endpoints on the bot, and the
 * store's page keeps its order whatever the order the features register in.
 */
const registered = () => {
  const bot = new BotRegistry(loadConfig({ PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40) }));
  for (const feature of FEATURES) feature.register(bot);
  return bot;
};

it('lists the store page’s sections in page order', () => {
  expect(registered().consoleSections.map((s) => s.title)).toEqual([
    '任务',
    '排班',
    '待审与超时',
    '交接班',
    '维修工单',
    '低库存预警',
    '临期',
    '断货预测',
    '菜单配方',
    '未映射的销售',
    '盘点准确率',
    '理论与实际用量',
    '库存',
    '库存流水',
    '会员分群',
    '会员活动效果',
  ]);
});

it('mounts every endpoint the page calls, each once', () => {
  expect(
    registered()
      .consoleApis.map((a) => `${a.method} ${a.scope === 'store' ? '/stores/:code' : ''}${a.path}`)
      .sort(),
  ).toEqual([
    'GET /members',
    'GET /ranking',
    'GET /stores/:code/members',
    'GET /stores/:code/score',
    'GET /stores/:code/staff',
    'POST /stores/:code/loss-holds/:id/approve',
    'POST /stores/:code/loss-holds/:id/reject',
    'POST /stores/:code/tasks',
  ]);
});

it('refuses a second section of the same key', () => {
  const bot = registered();
  expect(() => bot.consoleSection({ ...bot.consoleSections[0], order: 1 })).toThrow(/registered twice/);
});

it('reads a column list from labels and treatments', () => {
  expect(columns({ name: '商品', category: ['分类', 'select'], photos: ['照片', 'photos'] })).toEqual([
    { key: 'name', label: '商品' },
    { key: 'category', label: '分类', filter: 'select' },
    { key: 'photos', label: '照片', format: 'photos' },
  ]);
});
