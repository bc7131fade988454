import type { JobContext } from '../../bot/context';
import type { Prisma } from '../../generated/prisma/client';
import { markdown } from '../../platform/outbound';
import { enqueue } from '../../platform/outbox';
import { campaignResults, reportMarkdown } from './results';

/**
 * Pushes each campaign's report once, after its window (the last coupon's expiry) closed: to the
 * store managers of the members' home stores and the area managers of those stores' areas. A
 * cron campaign keeps building new waves, so it is reported once paused; any campaign's results
 * can be read through the API meanwhile. The report row and its messages commit together.
 */
export async function pushFinishedReports(ctx: Pick<JobContext, 'db' | 'clock' | 'log'>, timezone: string): Promise<string[]> {
  const { db, clock } = ctx;
  const now = clock.now();
  const due = await db.$queryRaw<{ id: string }[]>`
    SELECT k.id FROM campaign k
    WHERE NOT EXISTS (SELECT 1 FROM campaign_report r WHERE r.campaign_id = k.id)
      AND ((k.definition->'schedule'->>'once') IS NOT NULL OR k.status = 'paused')
      AND EXISTS (SELECT 1 FROM campaign_member c WHERE c.campaign_id = k.id)
      AND (SELECT max(valid_until) FROM campaign_member c WHERE c.campaign_id = k.id) <= ${now}`;
  const pushed: string[] = [];
  for (const { id } of due) {
    const results = await campaignResults(db, id);
    if (!results) continue;
    const managers = await db.$queryRaw<{ userid: string }[]>`
      WITH stores AS (SELECT DISTINCT m.home_store AS code FROM campaign_member c JOIN member m ON m.code = c.member_code WHERE c.campaign_id = ${id})
      SELECT s.userid FROM staff s WHERE s.active AND (
        (s.role = 'store_manager' AND s.store_code IN (SELECT code FROM stores))
        OR (s.role = 'area_manager' AND s.area IN (SELECT st.area FROM store st JOIN stores ON stores.code = st.code)))
      ORDER BY s.userid`;
    const content = markdown(reportMarkdown(results, timezone));
    await db.$transaction(async (tx) => {
      const created = await tx.campaignReport.createMany({ data: [{ campaignId: id, report: results as unknown as Prisma.InputJsonObject, pushedAt: now }], skipDuplicates: true });
      if (created.count === 0) return;
      await enqueue(
        tx,
        managers.map((m) => ({ to: m.userid, content, idempotencyKey: `members.report:${id}:${m.userid}` })),
        now,
      );
    });
    ctx.log.info({ campaign: id, managers: managers.length }, 'campaign report pushed');
    pushed.push(id);
  }
  return pushed;
}
