import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import type { Db } from '../../db';
import { DEFAULT_TIMEZONE } from '../../timezone';
import { parseLocalOrIso } from '../../timezone';
import { importRecipes } from './recipes';

export type { ImportProblem } from './rows';
import { type ImportProblem, KINDS, type Kind, menuItemRow, recipeRow, shiftRow, skuRow, skuSettingRow, staffRow, storeRow } from './rows';

export type ImportOutcome = { ok: true; kind: Kind; rows: number; created: number; updated: number } | { ok: false; kind: Kind; problems: ImportProblem[] };

interface Parsed<T> {
  line: number;
  row: T;
}

/**
 * Imports stores, staff, SKUs or per-store SKU settings from CSV or JSON: every row is checked
 * first (fields, duplicates in the file, references to stores and SKUs, barcodes owned by another
 * SKU) and every problem is reported with its line; only a file without problems is written, in
 * one transaction, as an upsert — so importing the same file twice changes nothing.
 */
export async function importMasterData(db: Db, kind: Kind, content: string, format: 'csv' | 'json', opts: { timezone?: string; now?: Date } = {}): Promise<ImportOutcome> {
  const problems: ImportProblem[] = [];
  const records = readRecords(content, format, problems);
  const schema = KINDS[kind] as z.ZodType;
  const rows: Parsed<unknown>[] = [];
  for (const { line, record } of records) {
    const result = schema.safeParse(record);
    if (result.success) rows.push({ line, row: result.data });
    else for (const issue of result.error.issues) problems.push({ line, message: issue.message });
  }
  if (records.length === 0 && problems.length === 0) problems.push({ line: 1, message: '文件里没有数据行' });

  switch (kind) {
    case 'stores':
      return finish(kind, problems, rows as Parsed<z.infer<typeof storeRow>>[], (r) => r.code, db, 'store', importStores);
    case 'staff':
      return finish(kind, problems, rows as Parsed<z.infer<typeof staffRow>>[], (r) => r.userid, db, 'staff', importStaff);
    case 'skus':
      return finish(kind, problems, rows as Parsed<z.infer<typeof skuRow>>[], (r) => r.code, db, 'sku', importSkus);
    case 'sku-settings':
      return finish(kind, problems, rows as Parsed<z.infer<typeof skuSettingRow>>[], (r) => `${r.store}/${r.sku}`, db, 'setting', importSkuSettings);
    case 'shifts':
      return finish(kind, problems, rows as Parsed<z.infer<typeof shiftRow>>[], (r) => `${r.store_code}/${r.userid}/${r.starts_at}`, db, 'shift', shiftWriter(opts.timezone ?? DEFAULT_TIMEZONE));
    case 'menu-items':
      return finish(kind, problems, rows as Parsed<z.infer<typeof menuItemRow>>[], (r) => r.code, db, 'menu item', importMenuItems);
    case 'recipes':
      // Duplicate lines of a version are found by the writer, which knows what a version is.
      return finish(kind, problems, rows as Parsed<z.infer<typeof recipeRow>>[], null, db, 'recipe line', (db, rows, problems) =>
        importRecipes(db, rows, problems, opts.timezone ?? DEFAULT_TIMEZONE, opts.now ?? new Date()),
      );
  }
}

type Writer<T> = (db: Db, rows: Parsed<T>[], problems: ImportProblem[]) => Promise<{ created: number; updated: number } | null>;

/** `key`: what makes a row a duplicate of an earlier one; null when the writer finds duplicates itself. */
async function finish<T>(kind: Kind, problems: ImportProblem[], rows: Parsed<T>[], key: ((r: T) => string) | null, db: Db, noun: string, write: Writer<T>): Promise<ImportOutcome> {
  const firstLine = new Map<string, number>();
  for (const { line, row } of key ? rows : []) {
    const k = key!(row);
    const earlier = firstLine.get(k);
    if (earlier !== undefined) problems.push({ line, message: `${noun} ${k} 与第 ${earlier} 行重复` });
    else firstLine.set(k, line);
  }
  // References are checked even when fields had problems, so one run reports everything.
  const counts = await write(db, rows, problems);
  if (problems.length > 0 || !counts) return { ok: false, kind, problems: problems.sort((a, b) => a.line - b.line) };
  return { ok: true, kind, rows: rows.length, ...counts };
}

function readRecords(content: string, format: 'csv' | 'json', problems: ImportProblem[]): { line: number; record: unknown }[] {
  if (format === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(content);
    } catch (err) {
      problems.push({ line: 1, message: `不是有效的 JSON：${(err as Error).message}` });
      return [];
    }
    if (!Array.isArray(data)) {
      problems.push({ line: 1, message: 'JSON 应该是一个数组，每个元素是一行' });
      return [];
    }
    return data.map((record, i) => ({ line: i + 1, record }));
  }
  try {
    const records = parse(content, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: true, info: true }) as {
      record: Record<string, string>;
      info: { lines: number };
    }[];
    return records.map(({ record, info }) => ({ line: info.lines, record }));
  } catch (err) {
    const e = err as Error & { lines?: number };
    problems.push({ line: e.lines ?? 1, message: `CSV 格式错误：${e.message}` });
    return [];
  }
}

/** Which of these store codes are already stored. */
async function knownStores(db: Db, codes: string[]): Promise<Set<string>> {
  return new Set((await db.store.findMany({ where: { code: { in: codes } }, select: { code: true } })).map((s) => s.code));
}

/** Which of these SKU codes are already stored. */
async function knownSkus(db: Db, codes: string[]): Promise<Set<string>> {
  return new Set((await db.sku.findMany({ where: { code: { in: codes } }, select: { code: true } })).map((s) => s.code));
}

/** New versus updated rows, by whether their key was stored before the import. */
function counts<T>(rows: Parsed<T>[], key: (row: T) => string, known: Set<string>): { created: number; updated: number } {
  const updated = rows.filter((r) => known.has(key(r.row))).length;
  return { created: rows.length - updated, updated };
}

const importStores: Writer<z.infer<typeof storeRow>> = async (db, rows, problems) => {
  if (problems.length) return null;
  const known = await knownStores(
    db,
    rows.map((r) => r.row.code),
  );
  await db.$transaction(async (tx) => {
    for (const { row } of rows) {
      const data = { name: row.name, area: row.area ?? null, aliases: row.aliases };
      await tx.store.upsert({ where: { code: row.code }, create: { code: row.code, ...data }, update: data });
    }
  });
  return counts(rows, (r) => r.code, known);
};

const importMenuItems: Writer<z.infer<typeof menuItemRow>> = async (db, rows, problems) => {
  if (problems.length) return null;
  const known = new Set((await db.menuItem.findMany({ where: { code: { in: rows.map((r) => r.row.code) } }, select: { code: true } })).map((m) => m.code));
  await db.$transaction(
    async (tx) => {
      for (const { row } of rows) {
        const data = { name: row.name, aliases: row.aliases, category: row.category ?? null, price: row.price ?? null };
        await tx.menuItem.upsert({ where: { code: row.code }, create: { code: row.code, ...data }, update: data });
      }
    },
    { timeout: 60_000 },
  );
  return counts(rows, (r) => r.code, known);
};

const importStaff: Writer<z.infer<typeof staffRow>> = async (db, rows, problems) => {
  const storeCodes = [...new Set(rows.map((r) => r.row.store).filter((s): s is string => Boolean(s)))];
  const stores = await knownStores(db, storeCodes);
  for (const { line, row } of rows) {
    if (row.store && !stores.has(row.store)) problems.push({ line, message: `门店 ${row.store} 不存在：先导入门店（npm run admin -- import stores …）` });
  }
  if (problems.length) return null;
  const known = new Set((await db.staff.findMany({ where: { userid: { in: rows.map((r) => r.row.userid) } }, select: { userid: true } })).map((s) => s.userid));
  await db.$transaction(async (tx) => {
    for (const { row } of rows) {
      const data = {
        name: row.name,
        storeCode: row.store ?? null,
        role: row.role,
        area: row.area ?? null,
        hireDate: row.hire_date ? new Date(`${row.hire_date}T00:00:00Z`) : null,
        active: row.active,
      };
      await tx.staff.upsert({ where: { userid: row.userid }, create: { userid: row.userid, ...data }, update: data });
    }
  });
  return counts(rows, (r) => r.userid, known);
};

const importSkus: Writer<z.infer<typeof skuRow>> = async (db, rows, problems) => {
  const owner = new Map<string, { code: string; line: number }>();
  for (const { line, row } of rows) {
    for (const { barcode } of row.barcodes) {
      const other = owner.get(barcode);
      if (other && other.code !== row.code) problems.push({ line, message: `条码 ${barcode} 已用于第 ${other.line} 行的商品 ${other.code}` });
      else owner.set(barcode, { code: row.code, line });
    }
  }
  const taken = await db.skuBarcode.findMany({ where: { barcode: { in: [...owner.keys()] } } });
  for (const t of taken) {
    const mine = owner.get(t.barcode)!;
    if (t.skuCode !== mine.code) problems.push({ line: mine.line, message: `条码 ${t.barcode} 已属于商品 ${t.skuCode}` });
  }
  if (problems.length) return null;
  const known = await knownSkus(
    db,
    rows.map((r) => r.row.code),
  );
  await db.$transaction(
    async (tx) => {
      for (const { row } of rows) {
        const data = {
          name: row.name,
          aliases: row.aliases,
          category: row.category,
          baseUnit: row.base_unit,
          packUnits: row.pack_units,
          costPrice: row.cost_price,
          allowNegative: row.allow_negative,
          countTolerancePercent: row.count_tolerance_percent,
          supplier: row.supplier ?? null,
          leadTimeDays: row.lead_time_days,
          shelfLifeDays: row.shelf_life_days,
        };
        await tx.sku.upsert({ where: { code: row.code }, create: { code: row.code, ...data }, update: data });
        // The file is the truth about a SKU's barcodes: replace them.
        await tx.skuBarcode.deleteMany({ where: { skuCode: row.code } });
        if (row.barcodes.length) await tx.skuBarcode.createMany({ data: row.barcodes.map((b) => ({ barcode: b.barcode, unit: b.unit ?? null, skuCode: row.code })) });
      }
    },
    { timeout: 60_000 },
  );
  return counts(rows, (r) => r.code, known);
};

const importSkuSettings: Writer<z.infer<typeof skuSettingRow>> = async (db, rows, problems) => {
  const stores = await knownStores(db, [...new Set(rows.map((r) => r.row.store))]);
  const skus = await knownSkus(db, [...new Set(rows.map((r) => r.row.sku))]);
  for (const { line, row } of rows) {
    if (!stores.has(row.store)) problems.push({ line, message: `门店 ${row.store} 不存在` });
    if (!skus.has(row.sku)) problems.push({ line, message: `商品 ${row.sku} 不存在` });
  }
  if (problems.length) return null;
  const known = new Set((await db.skuStoreSetting.findMany({ where: { storeCode: { in: [...stores] } }, select: { storeCode: true, skuCode: true } })).map((s) => `${s.storeCode}/${s.skuCode}`));
  await db.$transaction(
    async (tx) => {
      for (const { row } of rows) {
        const data = { safetyStock: row.safety_stock, maxDailyLoss: row.max_daily_loss, parLevel: row.par_level ?? null };
        await tx.skuStoreSetting.upsert({ where: { storeCode_skuCode: { storeCode: row.store, skuCode: row.sku } }, create: { storeCode: row.store, skuCode: row.sku, ...data }, update: data });
      }
    },
    { timeout: 60_000 },
  );
  return counts(rows, (r) => `${r.store}/${r.sku}`, known);
};

/** The longest shift we take for real; anything longer is a typo in the file. */
const MAX_SHIFT_HOURS = 16;

function shiftWriter(timezone: string): Writer<z.infer<typeof shiftRow>> {
  return async (db, rows, problems) => {
    const times = new Map<Parsed<z.infer<typeof shiftRow>>, { startsAt: Date; endsAt: Date }>();
    for (const parsed of rows) {
      const { line, row } = parsed;
      const startsAt = parseLocalOrIso(row.starts_at, timezone);
      const endsAt = parseLocalOrIso(row.ends_at, timezone);
      if (!startsAt) problems.push({ line, message: `上班时间「${row.starts_at}」不是有效的时间` });
      if (!endsAt) problems.push({ line, message: `下班时间「${row.ends_at}」不是有效的时间` });
      if (!startsAt || !endsAt) continue;
      if (endsAt <= startsAt) problems.push({ line, message: '下班时间必须晚于上班时间' });
      else if (endsAt.getTime() - startsAt.getTime() > MAX_SHIFT_HOURS * 3_600_000) problems.push({ line, message: `一个班次不能超过 ${MAX_SHIFT_HOURS} 小时` });
      else times.set(parsed, { startsAt, endsAt });
    }
    const stores = await knownStores(db, [...new Set(rows.map((r) => r.row.store_code))]);
    const staff = new Set((await db.staff.findMany({ where: { userid: { in: [...new Set(rows.map((r) => r.row.userid))] } }, select: { userid: true } })).map((s) => s.userid));
    for (const { line, row } of rows) {
      if (!stores.has(row.store_code)) problems.push({ line, message: `门店 ${row.store_code} 不存在` });
      if (!staff.has(row.userid)) problems.push({ line, message: `员工 ${row.userid} 不存在：先导入员工（npm run admin -- import staff …）` });
    }
    // One person cannot be on two shifts at once (in the file; the stored ones are replaced by start).
    const byPerson = [...times].filter(([p]) => p.row.active).sort(([a, x], [b, y]) => a.row.userid.localeCompare(b.row.userid) || x.startsAt.getTime() - y.startsAt.getTime());
    for (let i = 1; i < byPerson.length; i++) {
      const [prev, prevTimes] = byPerson[i - 1];
      const [cur, curTimes] = byPerson[i];
      if (prev.row.userid === cur.row.userid && curTimes.startsAt < prevTimes.endsAt) problems.push({ line: cur.line, message: `${cur.row.userid} 的班次与第 ${prev.line} 行重叠` });
    }
    if (problems.length) return null;
    const key = (storeCode: string, userid: string, startsAt: Date) => `${storeCode}/${userid}/${startsAt.toISOString()}`;
    const starts = [...times.values()].map((t) => t.startsAt.getTime());
    const existing = await db.shift.findMany({
      where: { storeCode: { in: [...stores] }, startsAt: { gte: new Date(starts.reduce((a, b) => Math.min(a, b))), lte: new Date(starts.reduce((a, b) => Math.max(a, b))) } },
      select: { storeCode: true, userid: true, startsAt: true },
    });
    const known = new Set(existing.map((s) => key(s.storeCode, s.userid, s.startsAt)));
    await db.$transaction(
      async (tx) => {
        for (const parsed of rows) {
          const { startsAt, endsAt } = times.get(parsed)!;
          const where = { storeCode_userid_startsAt: { storeCode: parsed.row.store_code, userid: parsed.row.userid, startsAt } };
          await tx.shift.upsert({
            where,
            create: { storeCode: parsed.row.store_code, userid: parsed.row.userid, startsAt, endsAt, active: parsed.row.active },
            update: { endsAt, active: parsed.row.active },
          });
        }
      },
      { timeout: 60_000 },
    );
    const updated = rows.filter((p) => known.has(key(p.row.store_code, p.row.userid, times.get(p)!.startsAt))).length;
    return { created: rows.length - updated, updated };
  };
}
