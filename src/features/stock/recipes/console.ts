import { columns, dateTime, type ConsoleSection } from '../../../console/types';
import { format } from '../ledger';
import { consumptionOf, loadRecipeBook } from './recipe-book';

/**
 * The store's recipes as they hold for it now (its own override, else the chain's), each with
 * what one item consumes and what that costs; and the sales the till made that have no recipe
 * yet, so a manager sees what the book is missing until headquarters maps them.
 */
export const recipesSection: ConsoleSection = {
  key: 'recipes',
  title: '菜单配方',
  order: 65,
  columns: columns({ product: '产品', kind: ['类型', 'select'], version: '版本', ingredients: '每份用料', modifiers: '加料/规格', cost: '原料成本(元)' }),
  async summary({ db }) {
    const [menu, recipes] = await Promise.all([db.menuItem.count(), db.recipe.count()]);
    return `菜单 ${menu} 项，配方版本 ${recipes} 个。收银系统卖出的菜品按售出时生效的版本扣原料；半成品按每批出品量算成本。`;
  },
  async rows({ db, clock, timezone }, storeCode) {
    const now = clock.now();
    const [menu, prepared] = await Promise.all([
      db.menuItem.findMany({ orderBy: { code: 'asc' } }),
      db.sku.findMany({ where: { code: { in: (await db.recipe.findMany({ where: { kind: 'prep' }, select: { product: true }, distinct: ['product'] })).map((r) => r.product) } } }),
    ]);
    const books = {
      menu: await loadRecipeBook(
        db,
        'menu',
        menu.map((m) => m.code),
        [storeCode],
      ),
      prep: await loadRecipeBook(
        db,
        'prep',
        prepared.map((p) => p.code),
        [storeCode],
      ),
    };
    const skus = new Map((await db.sku.findMany({ where: { code: { in: [...books.menu.ingredientCodes(), ...books.prep.ingredientCodes()] } } })).map((s) => [s.code, s]));
    const products = [...menu.map((m) => ({ kind: 'menu' as const, code: m.code, name: m.name })), ...prepared.map((p) => ({ kind: 'prep' as const, code: p.code, name: p.name }))];
    return products.map((p) => {
      const version = books[p.kind].versionFor(p.code, storeCode, now);
      const use = version ? consumptionOf(version, []) : null;
      const perUnit = p.kind === 'prep' && version ? version.yieldQuantity : 1;
      const cost = use?.ok ? [...use.use].reduce((sum, [code, q]) => sum + q * (skus.get(code)?.costPrice.toNumber() ?? 0), 0) / perUnit : null;
      return {
        cells: {
          product: `${p.name}（${p.code}）`,
          kind: p.kind === 'menu' ? '菜品' : '半成品',
          version: version ? `${version.scope === storeCode ? '门店' : '总部'} ${dateTime(version.validFrom, timezone)} 起` : '没有配方',
          ingredients: use?.ok ? [...use.use].map(([code, q]) => `${skus.get(code)?.name ?? code} ${format(q)}${skus.get(code)?.baseUnit ?? ''}`).join('、') : null,
          modifiers: version ? [...new Set(version.lines.map((l) => l.modifier).filter(Boolean))].join('、') || null : null,
          cost: cost === null ? null : Number(cost.toFixed(p.kind === 'prep' ? 4 : 2)),
        },
      };
    });
  },
};

export const unmappedSalesSection: ConsoleSection = {
  key: 'unmappedSales',
  title: '未映射的销售',
  order: 66,
  columns: columns({ item: '菜品', reason: '原因', sold: '份数', lines: '笔数', first: '最早', last: '最近' }),
  async summary({ db }, storeCode) {
    const lines = await db.stockSaleLine.count({ where: { storeCode, unmapped: { not: null } } });
    return lines ? `${lines} 笔销售还没有扣原料：菜品没有配方，或加料/规格不在配方里。总部导入配方后 5 分钟内自动按售出时的版本补扣。` : '收银系统卖出的菜品都已按配方扣了原料。';
  },
  async rows({ db, timezone }, storeCode) {
    const groups = await db.stockSaleLine.groupBy({
      by: ['itemCode', 'unmapped'],
      where: { storeCode, unmapped: { not: null } },
      _sum: { quantity: true },
      _count: true,
      _min: { occurredAt: true },
      _max: { occurredAt: true },
    });
    const codes = groups.map((g) => g.itemCode);
    const [menu, named, modifiers] = await Promise.all([
      db.menuItem.findMany({ where: { code: { in: codes } } }),
      db.stockSaleLine.findMany({ where: { storeCode, itemCode: { in: codes }, itemName: { not: null } }, distinct: ['itemCode'], select: { itemCode: true, itemName: true } }),
      db.stockSaleLine.findMany({ where: { storeCode, unmapped: 'unknown_modifier' }, select: { itemCode: true, unknownModifiers: true } }),
    ]);
    const nameOf = (code: string) => menu.find((m) => m.code === code)?.name ?? named.find((n) => n.itemCode === code)?.itemName ?? code;
    return groups
      .sort((a, b) => b._count - a._count)
      .map((g) => ({
        cells: {
          item: `${nameOf(g.itemCode)}（${g.itemCode}）`,
          reason: g.unmapped === 'no_recipe' ? '没有配方' : `配方里没有「${[...new Set(modifiers.filter((m) => m.itemCode === g.itemCode).flatMap((m) => m.unknownModifiers))].join('、')}」`,
          sold: format(g._sum.quantity ?? 0),
          lines: g._count,
          first: g._min.occurredAt ? dateTime(g._min.occurredAt, timezone) : null,
          last: g._max.occurredAt ? dateTime(g._max.occurredAt, timezone) : null,
        },
      }));
  },
};
