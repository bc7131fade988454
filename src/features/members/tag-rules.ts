import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Db, DbTx } from '../../db';
import { PROJECT_ROOT } from '../../paths';

/** Profile figures a rule may compare, and the SQL (over member_profile p, time $1) that yields each. */
export const FIELD_SQL = {
  daysSinceLastOrder: `extract(epoch FROM ($1 - p.last_order_at)) / 86400`,
  daysSinceFirstOrder: `extract(epoch FROM ($1 - p.first_order_at)) / 86400`,
  orders30d: 'p.orders_30d',
  orders90d: 'p.orders_90d',
  ordersTotal: 'p.orders_total',
  monetary90d: 'p.monetary_90d',
  monetaryTotal: 'p.monetary_total',
  avgTicket: 'p.avg_ticket',
  discountShare: 'p.discount_share',
  avgDwellSeconds: 'p.avg_dwell_seconds',
  rScore: 'p.r_score',
  fScore: 'p.f_score',
  mScore: 'p.m_score',
} as const;
const OPS = ['>=', '<=', '>', '<', '='] as const;

export const fieldCondition = z.object({ field: z.enum(Object.keys(FIELD_SQL) as [keyof typeof FIELD_SQL]), op: z.enum(OPS), value: z.number() }).strict();

const condition = z.union([
  fieldCondition,
  z
    .object({
      category: z.string().trim().min(1).max(32),
      days: z.number().int().min(1).max(366),
      /** Units of the category bought in the last `days` days. */
      atLeast: z.number().min(1),
    })
    .strict(),
]);

export const tagRule = z
  .object({
    /** The tag as staff see it in WeCom (corp tags are at most 30 characters). */
    name: z.string().trim().min(1).max(30),
    description: z.string().max(200).optional(),
    /** Every condition must hold. */
    all: z.array(condition).min(1).max(10),
  })
  .strict();
export type TagRule = z.infer<typeof tagRule>;

export const tagRuleSet = z
  .array(tagRule)
  .min(1)
  .max(100)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    for (const [i, r] of rules.entries()) {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `标签 ${r.name} 重复` });
      seen.add(r.name);
    }
  });

/** The WeCom corp-tag group our tags live in. */
export const TAG_GROUP = '门店助手会员标签';

export const DEFAULT_TAG_RULES: TagRule[] = tagRuleSet.parse(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'src', 'features', 'members', 'default-tag-rules.json'), 'utf8')));

/** The rules in force: what an admin set, or the defaults until they set any. */
export async function loadTagRules(db: DbTx): Promise<TagRule[]> {
  const rows = await db.memberTagRule.findMany({ orderBy: { position: 'asc' } });
  return rows.length ? rows.map((r) => tagRule.parse(r.definition)) : DEFAULT_TAG_RULES;
}

/** Replaces the rule set (validated as a whole first); the next recompute applies it. */
export async function saveTagRules(db: Db, input: unknown, now: Date): Promise<{ ok: true; rules: TagRule[] } | { ok: false; problems: { line: number; message: string }[] }> {
  const parsed = tagRuleSet.safeParse(input);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ line: typeof i.path[0] === 'number' ? i.path[0] + 1 : 1, message: `${i.path.slice(1).join('.') || '规则'}：${i.message}` })) };
  }
  await db.$transaction(async (tx) => {
    await tx.memberTagRule.deleteMany({});
    await tx.memberTagRule.createMany({ data: parsed.data.map((rule, position) => ({ name: rule.name, position, definition: rule, updatedAt: now })) });
  });
  return { ok: true, rules: parsed.data };
}

/** One rule as a SELECT of (member_code, tag) over the profiles; values travel as parameters. */
function ruleSql(rule: TagRule, params: unknown[]): string {
  params.push(rule.name);
  const tag = `$${params.length}::text`;
  const where = rule.all.map((c) => {
    if ('field' in c) {
      params.push(c.value);
      return `(${FIELD_SQL[c.field]}) ${c.op} $${params.length}::float8`;
    }
    params.push(c.category, c.days, c.atLeast);
    const [cat, days, least] = [params.length - 2, params.length - 1, params.length];
    return `p.member_code IN (SELECT o.member_code FROM member_order o CROSS JOIN LATERAL jsonb_array_elements(o.lines) l
      WHERE o.ordered_at > $1 - make_interval(days => $${days}::int) AND o.ordered_at <= $1 AND l->>'category' = $${cat}::text
      GROUP BY o.member_code HAVING sum((l->>'quantity')::numeric) >= $${least}::float8)`;
  });
  return `SELECT p.member_code, ${tag} AS tag FROM member_profile p WHERE ${where.join(' AND ')}`;
}

/**
 * Recomputes every member's tags from the rules in one statement: tags whose rule no longer
 * holds are removed, new ones added with `since` = now, unchanged ones keep their `since`.
 */
export async function recomputeTags(db: DbTx, now: Date): Promise<{ added: number; removed: number }> {
  const rules = await loadTagRules(db);
  const params: unknown[] = [now];
  const desired = rules.map((r) => ruleSql(r, params)).join('\nUNION ALL\n');
  const [row] = await db.$queryRawUnsafe<{ added: bigint; removed: bigint }[]>(
    `WITH desired AS (${desired}),
     removed AS (DELETE FROM member_tag t WHERE NOT EXISTS (SELECT 1 FROM desired d WHERE d.member_code = t.member_code AND d.tag = t.tag) RETURNING 1),
     added AS (INSERT INTO member_tag (member_code, tag, since) SELECT member_code, tag, $1 FROM desired ON CONFLICT DO NOTHING RETURNING 1)
     SELECT (SELECT count(*) FROM added) AS added, (SELECT count(*) FROM removed) AS removed`,
    ...params,
  );
  return { added: Number(row.added), removed: Number(row.removed) };
}
