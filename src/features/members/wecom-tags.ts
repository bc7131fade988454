import type { DbTx } from '../../db';
import type { Logger } from '../../log';
import type { WecomClient } from '../../platform/wecom-client';
import { loadTagRules, TAG_GROUP } from './tag-rules';

/** markTag calls per run: the job runs often and catches up over several runs. */
const MARK_BATCH = 2000;

/**
 * Makes sure every rule's tag exists as a WeCom corp tag in our group, creating the missing ones
 * (the app may edit only tags it created), and returns tag name → tag id.
 */
export async function ensureCorpTags(db: DbTx, wecom: WecomClient): Promise<Map<string, string>> {
  const names = (await loadTagRules(db)).map((r) => r.name);
  const stored = new Map((await db.memberCorpTag.findMany()).map((t) => [t.name, t.tagId]));
  const missing = names.filter((n) => !stored.has(n));
  if (missing.length === 0) return stored;
  const { tag_group } = await wecom.getCorpTagList();
  const group = tag_group.find((g) => g.group_name === TAG_GROUP);
  const found = new Map((group?.tag ?? []).map((t) => [t.name, t.id]));
  const toCreate = missing.filter((n) => !found.has(n));
  if (toCreate.length) {
    const created = await wecom.addCorpTag(
      group ? { group_id: group.group_id } : { group_name: TAG_GROUP },
      toCreate.map((name) => ({ name })),
    );
    for (const t of created.tag_group.tag) found.set(t.name, t.id);
    const groupId = created.tag_group.group_id;
    for (const name of missing) if (found.has(name)) await db.memberCorpTag.upsert({ where: { name }, create: { name, tagId: found.get(name)!, groupId }, update: { tagId: found.get(name)! } });
  } else {
    for (const name of missing) await db.memberCorpTag.upsert({ where: { name }, create: { name, tagId: found.get(name)!, groupId: group!.group_id }, update: { tagId: found.get(name)! } });
  }
  for (const name of missing) if (found.has(name)) stored.set(name, found.get(name)!);
  return stored;
}

interface Difference {
  member_code: string;
  owner_userid: string;
  external_userid: string;
  add: string[] | null;
  remove: string[] | null;
}

/**
 * Brings the tags staff see on their customers in WeCom in line with member_tag: one mark_tag
 * call per member that differs (adds under the current owner, removals under whoever was marked
 * before), and member_tag_mark remembers what WeCom has, so unchanged members cost nothing.
 */
export async function syncTagsToWecom(db: DbTx, wecom: WecomClient, now: Date, log: Logger): Promise<{ members: number; failed: number }> {
  const tagIds = await ensureCorpTags(db, wecom);
  const diffs = await db.$queryRawUnsafe<Difference[]>(
    `WITH want AS (
       SELECT t.member_code, t.tag, m.owner_userid, m.external_userid FROM member_tag t JOIN member m ON m.code = t.member_code
       WHERE m.external_userid IS NOT NULL AND m.owner_userid IS NOT NULL AND t.tag = ANY($1::text[])
     ), adds AS (
       SELECT w.member_code, w.owner_userid, w.external_userid, w.tag FROM want w
       WHERE NOT EXISTS (SELECT 1 FROM member_tag_mark k WHERE k.member_code = w.member_code AND k.tag = w.tag AND k.owner_userid = w.owner_userid)
     ), removes AS (
       SELECT k.member_code, k.owner_userid, m.external_userid, k.tag FROM member_tag_mark k JOIN member m ON m.code = k.member_code
       WHERE m.external_userid IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM want w WHERE w.member_code = k.member_code AND w.tag = k.tag AND w.owner_userid = k.owner_userid)
     )
     SELECT member_code, owner_userid, external_userid,
       array_agg(tag) FILTER (WHERE kind = 'add') AS add, array_agg(tag) FILTER (WHERE kind = 'remove') AS remove
     FROM (SELECT *, 'add' AS kind FROM adds UNION ALL SELECT *, 'remove' AS kind FROM removes) d
     GROUP BY member_code, owner_userid, external_userid
     ORDER BY member_code LIMIT $2`,
    [...tagIds.keys()],
    MARK_BATCH,
  );
  let failed = 0;
  for (const d of diffs) {
    const add = (d.add ?? []).filter((t) => tagIds.has(t));
    const remove = (d.remove ?? []).filter((t) => tagIds.has(t));
    try {
      await wecom.markTag({ userid: d.owner_userid, external_userid: d.external_userid, add_tag: add.map((t) => tagIds.get(t)!), remove_tag: remove.map((t) => tagIds.get(t)!) });
    } catch (err) {
      failed++;
      log.warn({ err, member: d.member_code, owner: d.owner_userid }, 'could not mark the member’s tags in WeCom');
      continue;
    }
    if (remove.length) await db.memberTagMark.deleteMany({ where: { memberCode: d.member_code, tag: { in: remove }, ownerUserid: d.owner_userid } });
    if (add.length) {
      await db.memberTagMark.deleteMany({ where: { memberCode: d.member_code, tag: { in: add } } });
      await db.memberTagMark.createMany({ data: add.map((tag) => ({ memberCode: d.member_code, tag, ownerUserid: d.owner_userid, markedAt: now })) });
    }
  }
  return { members: diffs.length, failed };
}
