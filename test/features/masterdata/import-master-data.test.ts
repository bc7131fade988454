import type { Database } from '../../../src/db';
import { importMasterData } from '../../../src/features/masterdata/import';
import { openTestDatabase } from '../../helpers/database';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());
const db = () => database.prisma;

const STORES = `code,name,area
S001,一店 · 人民路,华东区
S002,二店 · 滨江路,华东区
`;

it('imports stores, staff, SKUs and per-store settings, and a second run changes nothing', async () => {
  expect(await importMasterData(db(), 'stores', STORES, 'csv')).toEqual({ ok: true, kind: 'stores', rows: 2, created: 2, updated: 0 });
  const staff = `userid,name,store,role,area,hire_date,active
zhangxiaomei,张小美,S001,店员,,2026-11-01,是
zhoumanager,周店长,S001,store_manager,,,
liuarea,刘经理,,区域经理,华东区,,
`;
  expect(await importMasterData(db(), 'staff', staff, 'csv')).toMatchObject({ ok: true, rows: 3, created: 3 });
  const skus = [
    {
      code: 'MILK',
      name: '牛奶',
      aliases: ['鲜奶'],
      category: '乳品',
      base_unit: '盒',
      pack_units: [{ unit: '箱', factor: 12 }],
      cost_price: 6.5,
      barcodes: [{ barcode: '6901234567892' }, { barcode: '6901234567809', unit: '箱' }],
    },
    { code: 'PEARL', name: '珍珠', category: '小料', base_unit: '袋', pack_units: '箱=20', cost_price: '12.8', barcodes: '6903000000012' },
  ];
  expect(await importMasterData(db(), 'skus', JSON.stringify(skus), 'json')).toMatchObject({ ok: true, rows: 2, created: 2 });
  const settings = `store,sku,safety_stock,max_daily_loss\nS001,MILK,24,3\nS002,PEARL,5,1\n`;
  expect(await importMasterData(db(), 'sku-settings', settings, 'csv')).toMatchObject({ ok: true, rows: 2, created: 2 });

  expect(await db().staff.findUniqueOrThrow({ where: { userid: 'zhangxiaomei' } })).toMatchObject({ role: 'staff', storeCode: 'S001', hireDate: new Date('2026-11-01T00:00:00Z') });
  expect(await db().sku.findUniqueOrThrow({ where: { code: 'PEARL' }, include: { barcodes: true } })).toMatchObject({
    packUnits: [{ unit: '箱', factor: 20 }],
    barcodes: [{ barcode: '6903000000012', unit: null }],
  });

  // Idempotent: the same files again update in place.
  expect(await importMasterData(db(), 'skus', JSON.stringify(skus), 'json')).toMatchObject({ ok: true, created: 0, updated: 2 });
  expect(await db().skuBarcode.count()).toBe(3);
});

it('reports every bad row with its line and imports nothing', async () => {
  const before = await db().staff.count();
  const staff = `userid,name,store,role,area,hire_date,active
ok_person,好人,S001,店员,,,
,无名,S001,店员,,,
bad id!,坏名字,S001,店员,,,
nostore,没门店,S999,店员,,,
boss,老板,,CEO,,,
ok_person,重复,S001,店员,,2026/01/01,也许
`;
  const outcome = await importMasterData(db(), 'staff', staff, 'csv');
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.problems).toEqual([
    { line: 3, message: '缺少企业微信 userid' },
    { line: 4, message: 'userid 只能包含字母、数字和 _ . @ -' },
    { line: 5, message: '门店 S999 不存在：先导入门店（npm run admin -- import stores …）' },
    { line: 6, message: expect.stringContaining('角色「CEO」不认识') },
    { line: 7, message: '入职日期格式应为 2026-03-01' },
    { line: 7, message: '在职只能是 是/否（true/false）' },
  ]);
  expect(await db().staff.count()).toBe(before);
});

it('refuses a barcode that another SKU owns, in the file or already stored', async () => {
  const skus = `code,name,category,base_unit,cost_price,barcodes
CREAM,奶油,乳品,盒,28,6901234567892
TARO,芋圆,小料,袋,9,6905000000001|6905000000001
`;
  const outcome = await importMasterData(db(), 'skus', skus, 'csv');
  expect(outcome).toMatchObject({ ok: false, problems: [{ line: 2, message: '条码 6901234567892 已属于商品 MILK' }] });
  expect(await db().sku.findUnique({ where: { code: 'CREAM' } })).toBeNull();
});

it('explains malformed files', async () => {
  expect(await importMasterData(db(), 'stores', '[{"code": "S9"', 'json')).toMatchObject({ ok: false, problems: [{ line: 1, message: expect.stringContaining('不是有效的 JSON') }] });
  expect(await importMasterData(db(), 'stores', '{"code":"S9"}', 'json')).toMatchObject({ ok: false, problems: [{ line: 1, message: 'JSON 应该是一个数组，每个元素是一行' }] });
  expect(await importMasterData(db(), 'stores', 'code,name\n"S9,broken\n', 'csv')).toMatchObject({ ok: false, problems: [{ message: expect.stringContaining('CSV 格式错误') }] });
  expect(await importMasterData(db(), 'stores', 'code,name\n', 'csv')).toMatchObject({ ok: false, problems: [{ line: 1, message: '文件里没有数据行' }] });
});
