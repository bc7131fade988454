/**
 * The simulated chain's master data: the demo's tea-shop catalogue (src/features/masterdata/
 * demo-data) cut to the SKUs a drink or a pastry uses whole — cups, lids, straws, bags, fruit by
 * the piece, pastries, bottled milk. Shelf, book and count are then whole numbers, so "book ==
 * shelf" can be exact; the demo's weighed ingredients (tea leaves, milk by the cup, syrup) are
 * left out — their counts would be estimates and the exact hit rate would measure the scale.
 */
export interface SimSku {
  code: string;
  name: string;
  category: string;
  baseUnit: string;
  /** The one pack unit staff order, receive and often count in. */
  pack: { unit: string; size: number };
  cost: number;
  /** Spoils: thrown away now and then (waste). */
  perishable: boolean;
}

export const SKUS: SimSku[] = [
  { code: 'CUP_M', name: '中杯', category: '包材', baseUnit: '个', pack: { unit: '箱', size: 100 }, cost: 0.6, perishable: false },
  { code: 'CUP_L', name: '大杯', category: '包材', baseUnit: '个', pack: { unit: '箱', size: 100 }, cost: 0.75, perishable: false },
  { code: 'LID', name: '杯盖', category: '包材', baseUnit: '个', pack: { unit: '箱', size: 200 }, cost: 0.15, perishable: false },
  { code: 'STRAW', name: '吸管', category: '包材', baseUnit: '根', pack: { unit: '箱', size: 200 }, cost: 0.1, perishable: false },
  { code: 'BAG', name: '外卖袋', category: '包材', baseUnit: '个', pack: { unit: '箱', size: 100 }, cost: 0.4, perishable: false },
  { code: 'MANGO', name: '芒果', category: '水果', baseUnit: '个', pack: { unit: '箱', size: 20 }, cost: 4.5, perishable: true },
  { code: 'LEMON', name: '柠檬', category: '水果', baseUnit: '个', pack: { unit: '箱', size: 50 }, cost: 1.2, perishable: true },
  { code: 'CROISSANT', name: '可颂坯', category: '烘焙', baseUnit: '个', pack: { unit: '箱', size: 30 }, cost: 2.8, perishable: true },
  { code: 'CHEESECAKE', name: '芝士蛋糕', category: '烘焙', baseUnit: '个', pack: { unit: '箱', size: 12 }, cost: 12, perishable: true },
  { code: 'MILK', name: '牛奶', category: '乳品', baseUnit: '盒', pack: { unit: '箱', size: 12 }, cost: 6.5, perishable: true },
];

export interface SimMenuItem {
  code: string;
  name: string;
  price: number;
  /** Mean sales a day in a store of average trade. */
  perDay: number;
  recipe: Record<string, number>;
}

const drink = (cup: string, extra: Record<string, number> = {}) => ({ [cup]: 1, LID: 1, STRAW: 1, ...extra });

export const MENU: SimMenuItem[] = [
  { code: 'MT_PEARL', name: '珍珠奶茶', price: 15, perDay: 60, recipe: drink('CUP_M') },
  { code: 'MT_LARGE', name: '大杯奶茶', price: 18, perDay: 40, recipe: drink('CUP_L') },
  { code: 'MANGO_GREEN', name: '芒果绿茶', price: 18, perDay: 25, recipe: drink('CUP_L', { MANGO: 1 }) },
  { code: 'LEMON_BLACK', name: '柠檬红茶', price: 12, perDay: 30, recipe: drink('CUP_M', { LEMON: 1 }) },
  { code: 'CROISSANT_BUTTER', name: '黄油可颂', price: 9, perDay: 20, recipe: { CROISSANT: 1 } },
  { code: 'CHEESECAKE_SLICE', name: '芝士蛋糕', price: 16, perDay: 8, recipe: { CHEESECAKE: 1 } },
  { code: 'MILK_BOTTLE', name: '瓶装鲜奶', price: 8, perDay: 10, recipe: { MILK: 1 } },
  { code: 'TAKEAWAY', name: '外卖打包', price: 1, perDay: 40, recipe: { BAG: 1 } },
];

/** A store's mean daily use of each SKU at trade 1. */
export function dailyUse(): Map<string, number> {
  const use = new Map<string, number>();
  for (const item of MENU) for (const [sku, q] of Object.entries(item.recipe)) use.set(sku, (use.get(sku) ?? 0) + q * item.perDay);
  return use;
}

export interface SimStore {
  code: string;
  name: string;
  alias: string;
  /** Trade relative to the average store (0.6–1.4). */
  trade: number;
  manager: string;
  staff: string[];
}

export function storeCode(i: number): string {
  return `S${String(i + 1).padStart(3, '0')}`;
}

export function masterDataCsv(stores: SimStore[], validFrom: string) {
  const csv = (header: string, rows: (string | number)[][]) => [header, ...rows.map((r) => r.join(','))].join('\n') + '\n';
  return {
    stores: csv(
      'code,name,area,aliases',
      stores.map((s) => [s.code, s.name, '华东区', s.alias]),
    ),
    staff: csv(
      'userid,name,store,role',
      stores.flatMap((s) => [[s.manager, `${s.alias}店长`, s.code, '店长'], ...s.staff.map((u, i) => [u, `${s.alias}店员${i + 1}`, s.code, '店员'])]),
    ),
    skus: csv(
      'code,name,category,base_unit,pack_units,cost_price',
      SKUS.map((s) => [s.code, s.name, s.category, s.baseUnit, `${s.pack.unit}=${s.pack.size}`, s.cost]),
    ),
    menuItems: csv(
      'code,name,category,price',
      MENU.map((m) => [m.code, m.name, '饮品', m.price]),
    ),
    recipes: csv(
      'product,store,valid_from,yield,batch_unit,modifier,sku,quantity,factor',
      MENU.flatMap((m) => Object.entries(m.recipe).map(([sku, q]) => [m.code, '', validFrom, '', '', '', sku, q, ''])),
    ),
  };
}
