import cron from 'node-cron';
import { z } from 'zod';
import type { QuietHours } from '../../settings';
import type { MembersConfig } from './settings';
import type { Db, DbTx } from '../../db';
import { FIELD_SQL, fieldCondition } from './tag-rules';

/**
 * A campaign as an admin writes it (JSON through `npm run admin -- campaigns set <file>` or the
 * sync document `campaigns`):
 * { "id": "winback-nov", "name": "11月召回", "priority": 10,
 *   "segment": { "tags": ["潜在流失"], "excludeTags": [], "stores": ["S001"], "filters": [{ "field": "ordersTotal", "op": ">=", "value": 2 }] },
 *   "coupon": { "kind": "amount", "value": 5, "minSpend": 20, "validDays": 7 },
 *   "channel": "wecom", "schedule": { "once": "2026-11-26T10:00:00+08:00" }, "holdoutShare": 0.1 }
 */
export const campaignDefinition = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, '活动 id 只能用字母、数字、_ 和 -（最多 40 个）'),
    name: z.string().trim().min(1).max(40),
    /** Higher first: when campaigns are due together, the higher one takes the members' message budget first. */
    priority: z.number().int().min(0).max(1000).default(0),
    status: z.enum(['active', 'paused']).default('active'),
    segment: z
      .object({
        /** The member must have every one of these tags… */
        tags: z.array(z.string().min(1)).default([]),
        /** …and none of these. */
        excludeTags: z.array(z.string().min(1)).default([]),
        /** Home stores; empty: all. */
        stores: z.array(z.string().min(1)).default([]),
        /** Profile conditions, as in tag rules. */
        filters: z.array(fieldCondition).default([]),
      })
      .strict(),
    coupon: z
      .object({
        kind: z.enum(['amount', 'percent']),
        /** Yuan off (amount) or percent off (percent, 1–90). */
        value: z.number().positive(),
        minSpend: z.number().min(0).default(0),
        validDays: z.number().int().min(1).max(90),
      })
      .strict()
      .refine((c) => c.kind === 'amount' || c.value <= 90, { message: '折扣券最多 90%' }),
    channel: z.enum(['wecom', 'sms']).default('wecom'),
    /** The message; {name} {coupon} {offer} {validUntil} are filled in per member. */
    message: z.string().min(1).max(1000).default('{name}您好，送您一张{offer}，券码 {coupon}，{validUntil}前到店出示即可使用。'),
    schedule: z.union([z.object({ once: z.iso.datetime({ offset: true }) }).strict(), z.object({ cron: z.string().refine((s) => cron.validate(s), '不是有效的 cron 表达式') }).strict()]),
    /** Share of the segment that gets nothing: the control group. */
    holdoutShare: z.number().min(0).max(0.5).default(0.1),
    /** Whether a member holding another campaign's live coupon may get this one too. */
    allowOverlap: z.boolean().default(false),
  })
  .strict();
export type CampaignDefinition = z.infer<typeof campaignDefinition>;

export type DefineOutcome = { ok: true; ids: string[] } | { ok: false; problems: { line: number; message: string }[] };

/** Creates or replaces campaigns (a JSON array, or one object); every problem is reported, nothing half-stored. */
export async function defineCampaigns(db: Db, input: unknown, now: Date, settings: MembersConfig): Promise<DefineOutcome> {
  const list = Array.isArray(input) ? input : [input];
  const problems: { line: number; message: string }[] = [];
  const defs: CampaignDefinition[] = [];
  for (const [i, item] of list.entries()) {
    const parsed = campaignDefinition.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ line: i + 1, message: `${issue.path.join('.') || '活动'}：${issue.message}` });
      continue;
    }
    if (parsed.data.channel === 'sms' && settings.smsProvider === 'off') problems.push({ line: i + 1, message: 'channel：短信通道未开启（MEMBERS_SMS_PROVIDER=off）' });
    if (defs.some((d) => d.id === parsed.data.id)) problems.push({ line: i + 1, message: `活动 ${parsed.data.id} 重复` });
    defs.push(parsed.data);
  }
  if (list.length === 0) problems.push({ line: 1, message: '没有活动' });
  if (problems.length) return { ok: false, problems };
  await db.$transaction(async (tx) => {
    for (const def of defs) {
      const data = { name: def.name, priority: def.priority, status: def.status, definition: def, updatedAt: now };
      await tx.campaign.upsert({ where: { id: def.id }, create: { id: def.id, ...data, createdAt: now }, update: data });
    }
  });
  return { ok: true, ids: defs.map((d) => d.id) };
}

/** Whether a campaign should build its audience now: a `once` time passed and it never ran, or a cron minute since its last run. */
export function isDue(def: CampaignDefinition, lastRunAt: Date | null, createdAt: Date, now: Date, timezone: string): boolean {
  if ('once' in def.schedule) return !lastRunAt && new Date(def.schedule.once).getTime() <= now.getTime();
  const task = cron.createTask(def.schedule.cron, () => undefined, { timezone });
  try {
    // Minutes since the last run (at most a day back: a bot down longer does not replay missed pushes).
    const from = Math.max((lastRunAt ?? createdAt).getTime(), now.getTime() - 86_400_000);
    for (let t = Math.floor(now.getTime() / 60_000) * 60_000; t > from; t -= 60_000) if (task.match(new Date(t))) return true;
    return false;
  } finally {
    void task.destroy();
  }
}

export interface LocalCalendar {
  dayStart: Date;
  monthStart: Date;
  daysInMonth: number;
  /** Local time, minutes after midnight. */
  minuteOfDay: number;
}

/** Today's and this month's start in the chain's time zone, from the database (one source of time-zone rules). */
export async function localCalendar(db: DbTx, now: Date, timezone: string): Promise<LocalCalendar> {
  const [row] = await db.$queryRawUnsafe<{ day_start: Date; month_start: Date; days: number; minute: number }[]>(
    `SELECT date_trunc('day', $1::timestamptz AT TIME ZONE $2) AT TIME ZONE $2 AS day_start,
            date_trunc('month', $1::timestamptz AT TIME ZONE $2) AT TIME ZONE $2 AS month_start,
            extract(day FROM date_trunc('month', $1::timestamptz AT TIME ZONE $2) + interval '1 month - 1 day')::int AS days,
            (extract(hour FROM $1::timestamptz AT TIME ZONE $2) * 60 + extract(minute FROM $1::timestamptz AT TIME ZONE $2))::int AS minute`,
    now,
    timezone,
  );
  return { dayStart: row.day_start, monthStart: row.month_start, daysInMonth: Number(row.days), minuteOfDay: Number(row.minute) };
}

/** Whether a local time (minutes after midnight) falls in the quiet hours: start inclusive, end exclusive, may span midnight. */
export function inQuietHours(minuteOfDay: number, quiet: QuietHours): boolean {
  if (!quiet) return false;
  return quiet.start < quiet.end ? minuteOfDay >= quiet.start && minuteOfDay < quiet.end : minuteOfDay >= quiet.start || minuteOfDay < quiet.end;
}

export interface BuildResult {
  treated: number;
  holdout: number;
}

/**
 * Builds a campaign's audience in one set-based statement, under a lock that serialises builds
 * so two campaigns cannot both take a member's last message of the month:
 * the segment (tags, stores, profile filters, marketing opt-in), minus members already in this
 * campaign (the unique key: a re-run never sends anyone the same campaign twice); a reproducible
 * holdout — the first 32 bits of md5(campaign id:member code) below the holdout share; and, for
 * both arms, the caps: a channel to reach them, the monthly budget and the 7-day cap across
 * campaigns, one message a day from the same member of staff, and no live coupon of another
 * campaign unless overlap is allowed. The holdout passes the same caps as the treated although
 * it is sent nothing: it must be a random sample of the members who would have been sent the
 * coupon, or the uplift compares the reachable with everyone (members without a WeCom contact
 * come less often: the estimate was biased upwards). Treated members get a unique coupon code
 * (their row id in hex plus 4 check characters); members the caps hold back, in either arm, are
 * left for a later run.
 */
export async function buildCampaign(
  db: Db,
  campaign: { id: string; definition: CampaignDefinition },
  now: Date,
  settings: MembersConfig,
  cal: LocalCalendar,
  couponSecret: string,
): Promise<BuildResult> {
  const def = campaign.definition;
  const params: unknown[] = [];
  const p = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  const nowP = p(now, 'timestamptz');
  const cid = p(campaign.id, 'text');
  const where: string[] = ['m.marketing_opt_in', `NOT EXISTS (SELECT 1 FROM campaign_member c WHERE c.campaign_id = ${cid} AND c.member_code = m.code)`];
  for (const tag of def.segment.tags) where.push(`EXISTS (SELECT 1 FROM member_tag t WHERE t.member_code = m.code AND t.tag = ${p(tag, 'text')})`);
  for (const tag of def.segment.excludeTags) where.push(`NOT EXISTS (SELECT 1 FROM member_tag t WHERE t.member_code = m.code AND t.tag = ${p(tag, 'text')})`);
  if (def.segment.stores.length) where.push(`m.home_store = ANY(${p(def.segment.stores, 'text[]')})`);
  for (const f of def.segment.filters) where.push(`(${FIELD_SQL[f.field].replaceAll('$1', nowP)}) ${f.op} ${p(f.value, 'float8')}`);

  const monthly = settings.monthlyMessages === 'days' ? cal.daysInMonth : settings.monthlyMessages;
  const reach = def.channel === 'wecom' ? 'a.external_userid IS NOT NULL AND a.owner_userid IS NOT NULL' : 'true';
  const live = `c.arm = 'treated' AND c.status NOT IN ('failed')`;
  const sql = `
    WITH seg AS (
      SELECT m.code, m.owner_userid, m.external_userid,
        CASE WHEN ('x' || substr(md5(${cid} || ':' || m.code), 1, 8))::bit(32)::bigint < ${p(Math.round(def.holdoutShare * 2 ** 32), 'bigint')} THEN 'holdout' ELSE 'treated' END AS arm
      FROM member m LEFT JOIN member_profile p ON p.member_code = m.code
      WHERE ${where.join('\n        AND ')}
    ), eligible AS (
      SELECT a.* FROM seg a WHERE ${reach}
        AND (SELECT count(*) FROM campaign_member c WHERE c.member_code = a.code AND ${live} AND c.assigned_at >= ${p(cal.monthStart, 'timestamptz')}) < ${p(monthly, 'int')}
        AND (SELECT count(*) FROM campaign_member c WHERE c.member_code = a.code AND ${live} AND c.assigned_at > ${nowP} - interval '7 days') < ${p(settings.weeklyMessages, 'int')}
        AND (SELECT count(*) FROM campaign_member c WHERE c.member_code = a.code AND ${live} AND c.owner_userid IS NOT DISTINCT FROM a.owner_userid AND c.assigned_at >= ${p(cal.dayStart, 'timestamptz')}) < ${p(settings.dailyPerStaff, 'int')}
        AND (${p(def.allowOverlap, 'boolean')} OR NOT EXISTS (
          SELECT 1 FROM campaign_member c WHERE c.member_code = a.code AND ${live} AND c.valid_until > ${nowP}
            AND NOT EXISTS (SELECT 1 FROM member_order o WHERE o.coupon_code = c.coupon_code)))
    ), numbered AS (
      SELECT e.*, nextval('campaign_member_id_seq') AS id FROM eligible e
    ), inserted AS (
      INSERT INTO campaign_member (id, campaign_id, member_code, arm, status, coupon_code, valid_from, valid_until, channel, owner_userid, external_userid, assigned_at)
      SELECT n.id, ${cid}, n.code, n.arm, CASE n.arm WHEN 'holdout' THEN 'holdout' ELSE 'queued' END,
        CASE n.arm WHEN 'treated' THEN 'M' || upper(to_hex(n.id)) || upper(substr(md5(n.id::text || ${cid} || ${p(couponSecret, 'text')}), 1, 4)) END,
        ${nowP}, ${nowP} + make_interval(days => ${p(def.coupon.validDays, 'int')}),
        CASE n.arm WHEN 'treated' THEN ${p(def.channel, 'text')} END, n.owner_userid, n.external_userid, ${nowP}
      FROM numbered n
      ON CONFLICT (campaign_id, member_code) DO NOTHING
      RETURNING arm
    )
    SELECT count(*) FILTER (WHERE arm = 'treated') AS treated, count(*) FILTER (WHERE arm = 'holdout') AS holdout FROM inserted`;
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('members.buildCampaign'))`);
      const [row] = await tx.$queryRawUnsafe<{ treated: bigint; holdout: bigint }[]>(sql, ...params);
      await tx.campaign.update({ where: { id: campaign.id }, data: { lastRunAt: now } });
      return { treated: Number(row.treated), holdout: Number(row.holdout) };
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

/** What the coupon is, in words: 5元券（满20可用） / 8.5折券. */
export function describeOffer(coupon: CampaignDefinition['coupon']): string {
  const what = coupon.kind === 'amount' ? `${coupon.value}元优惠券` : `${Number(((100 - coupon.value) / 10).toFixed(2))}折券`;
  return coupon.minSpend > 0 ? `${what}（满${coupon.minSpend}元可用）` : what;
}
