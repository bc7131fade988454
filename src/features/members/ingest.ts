import type { DbTx } from '../../db';
import { hashPhone, type MemberRow, type OrderLine, type OrderRow } from './rows';

/** A member as the writer takes it: a checked row, or one built in code (demo, tests) leaving fields out. */
export type MemberInput = Pick<MemberRow, 'code'> & Partial<MemberRow>;
export type OrderInput = Omit<OrderRow, 'coupon_code' | 'dwell_seconds' | 'lines'> &
  Partial<Pick<OrderRow, 'coupon_code' | 'dwell_seconds'>> & { lines: (Partial<OrderLine> & Pick<OrderLine, 'quantity' | 'amount'>)[] };

export interface Problem {
  /** CSV: the line in the file; JSON: the element's position (1-based). */
  line: number;
  message: string;
}

export interface Parsed<T> {
  line: number;
  row: T;
}

/**
 * Checks what a batch of member rows refers to (stores, staff) and that a pepper is configured
 * for rows with a phone. Adds a problem per bad row; returns nothing.
 */
export async function checkMemberReferences(db: DbTx, rows: Parsed<MemberRow>[], pepper: string | null, problems: Problem[]): Promise<void> {
  const stores = await known(db, 'store', 'code', rows, (r) => r.row.home_store);
  const staff = await known(db, 'staff', 'userid', rows, (r) => r.row.owner);
  for (const { line, row } of rows) {
    if (row.home_store && !stores.has(row.home_store)) problems.push({ line, message: `门店 ${row.home_store} 不存在` });
    if (row.owner && !staff.has(row.owner)) problems.push({ line, message: `员工 ${row.owner} 不存在` });
    if (row.external_userid && !row.owner) problems.push({ line, message: `有 external_userid 的会员需要 owner（添加该客户的员工）` });
    if (row.phone && !pepper) problems.push({ line, message: '未配置 MEMBERS_PHONE_PEPPER，不能保存手机号' });
  }
}

/** Orders must name a known member and store (import members before their orders). */
export async function checkOrderReferences(db: DbTx, rows: Parsed<OrderRow>[], problems: Problem[], alsoKnownMembers: Set<string> = new Set()): Promise<void> {
  const members = await known(db, 'member', 'code', rows, (r) => r.row.member);
  const stores = await known(db, 'store', 'code', rows, (r) => r.row.store);
  for (const { line, row } of rows) {
    if (!members.has(row.member) && !alsoKnownMembers.has(row.member)) problems.push({ line, message: `会员 ${row.member} 不存在：先导入会员` });
    if (!stores.has(row.store)) problems.push({ line, message: `门店 ${row.store} 不存在` });
  }
}

/** Which of the values the rows name (`pick`) are in `table`'s `column`: one query for the whole batch. */
async function known<R>(db: DbTx, table: string, column: string, rows: R[], pick: (row: R) => string | undefined): Promise<Set<string>> {
  const wanted = [...new Set(rows.map(pick).filter((v): v is string => Boolean(v)))];
  if (wanted.length === 0) return new Set();
  const found = await db.$queryRawUnsafe<{ v: string }[]>(`SELECT ${column} AS v FROM ${table} WHERE ${column} = ANY($1::text[])`, wanted);
  return new Set(found.map((r) => r.v));
}

/**
 * Upserts members in two set-based statements (update, then insert). A row that leaves a field out keeps what is
 * stored — above all the marketing choice: a POS export without that column never opts a
 * member who opted out back in.
 */
export async function writeMembers(db: DbTx, rows: MemberInput[], pepper: string | null, now: Date): Promise<{ created: number; updated: number }> {
  if (rows.length === 0) return { created: 0, updated: 0 };
  // Later rows win within one batch, as they would one by one.
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const list = [...byCode.values()];
  const params = [
    list.map((r) => r.code),
    list.map((r) => r.name ?? null),
    list.map((r) => (r.phone && pepper ? hashPhone(pepper, r.phone) : null)),
    list.map((r) => r.external_userid ?? null),
    list.map((r) => r.owner ?? null),
    list.map((r) => r.home_store ?? null),
    list.map((r) => (r.marketing === undefined ? null : r.marketing)),
    now,
  ];
  const input = `SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[])
                 AS i(code, name, phone_hash, external_userid, owner_userid, home_store, marketing)`;
  // Update the stored ones first, then insert the rest: each row counted once, as new or updated.
  const updated = await db.$executeRawUnsafe(
    `UPDATE member m SET name = coalesce(i.name, m.name), phone_hash = coalesce(i.phone_hash, m.phone_hash),
       external_userid = coalesce(i.external_userid, m.external_userid), owner_userid = coalesce(i.owner_userid, m.owner_userid),
       home_store = coalesce(i.home_store, m.home_store), marketing_opt_in = coalesce(i.marketing, m.marketing_opt_in), updated_at = $8
     FROM (${input}) i WHERE m.code = i.code`,
    ...params,
  );
  const created = await db.$executeRawUnsafe(
    `INSERT INTO member (code, name, phone_hash, external_userid, owner_userid, home_store, marketing_opt_in, created_at, updated_at)
     SELECT code, name, phone_hash, external_userid, owner_userid, home_store, coalesce(marketing, true), $8, $8 FROM (${input}) i
     ON CONFLICT (code) DO NOTHING`,
    ...params,
  );
  return { created, updated };
}

/**
 * Inserts orders, once each by their POS order id (a resent order is ignored). Returns the
 * members whose orders were new, for the incremental profile update.
 */
export async function writeOrders(db: DbTx, rows: OrderInput[], now: Date): Promise<{ created: number; members: string[] }> {
  if (rows.length === 0) return { created: 0, members: [] };
  // One JSON parameter rather than an array per column: the drivers serialise a single string far faster.
  const payload = rows.map((r) => ({
    order_id: r.order_id,
    member_code: r.member,
    store_code: r.store,
    ordered_at: r.ordered_at.toISOString(),
    amount: r.amount,
    discount: r.discount,
    coupon_code: r.coupon_code ?? null,
    dwell_seconds: r.dwell_seconds ?? null,
    lines: r.lines.map((l) => ({ sku: l.sku ?? null, category: l.category ?? null, quantity: l.quantity, amount: l.amount, cost: l.cost ?? null })),
  }));
  const inserted = await db.$queryRawUnsafe<{ member_code: string }[]>(
    `INSERT INTO member_order (order_id, member_code, store_code, ordered_at, amount, discount, coupon_code, dwell_seconds, lines, received_at)
     SELECT i.order_id, i.member_code, i.store_code, i.ordered_at, i.amount, i.discount, i.coupon_code, i.dwell_seconds, i.lines, $2
     FROM jsonb_to_recordset($1::jsonb)
       AS i(order_id text, member_code text, store_code text, ordered_at timestamptz, amount numeric, discount numeric, coupon_code text, dwell_seconds int, lines jsonb)
     ON CONFLICT (order_id) DO NOTHING
     RETURNING member_code`,
    JSON.stringify(payload),
    now,
  );
  return { created: inserted.length, members: [...new Set(inserted.map((r) => r.member_code))] };
}
