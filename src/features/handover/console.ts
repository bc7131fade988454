import type { BotRegistry } from '../../bot/registry';
import { columns, dateTime, photoPath, type ConsoleSection } from '../../console/types';
import { verifyChain } from './log';
import { STATE_TEXT } from './records';

const ITEM_STATUS: Record<string, string> = { pending: '未填', ok: '正常', flagged: '异常', skipped: '跳过' };
const CONFIRMATION: Record<string, string> = { confirmed: '已确认', disputed: '有异议' };

/** An item's answer as staff gave it (photos are media_file rows, shown beside it). */
function answerText(answer: unknown): string | null {
  if (!answer || typeof answer !== 'object') return null;
  const a = answer as { yes?: boolean; number?: number; expected?: number; book?: number; text?: string };
  if (typeof a.yes === 'boolean') return a.yes ? '是' : '否';
  if (typeof a.number === 'number') {
    const against = a.book !== undefined ? `，账面 ${a.book}` : a.expected !== undefined ? `，应为 ${a.expected}` : '';
    return `${a.number}${against}`;
  }
  return typeof a.text === 'string' ? a.text : null;
}

/**
 * The store's handovers of the last 30 days, with their flagged items and photos, under the
 * hash-chain check. Tapping one lists its items with their photos (and the photos of a dispute).
 */
const handoverSection: ConsoleSection = {
  key: 'handovers',
  title: '交接班',
  order: 30,
  columns: columns(
    { id: '编号', started: '开始', outgoing: ['交班人', 'select'], incoming: ['接班人', 'select'], state: ['状态', 'select'] },
    { answered: '已填项', flagged: '异常项', disputed: '有异议', photos: '照片', findings: '异常说明' },
  ),
  async summary({ db }, storeCode) {
    const chain = await verifyChain(db, storeCode);
    return chain.ok ? `交接日志哈希链完整（${chain.entries} 条记录，未被改动）。` : `⚠ 交接日志哈希链在第 ${chain.brokenAt} 条断开：${chain.reason}。`;
  },
  async rows({ db, clock, timezone }, storeCode) {
    const since = new Date(clock.now().getTime() - 30 * 86_400_000);
    const handovers = await db.handover.findMany({ where: { storeCode, startedAt: { gte: since } }, include: { items: true }, orderBy: { startedAt: 'desc' }, take: 500 });
    const itemIds = handovers.flatMap((h) => h.items.map((i) => i.id));
    // The item's own photos and those sent with a dispute of it: the same photos the detail shows.
    const photos = await db.mediaFile.findMany({ where: { OR: [{ handoverItemId: { in: itemIds } }, { disputeItemId: { in: itemIds } }] }, select: { handoverItemId: true, disputeItemId: true } });
    const photosByItem = new Map<string, number>();
    for (const p of photos) {
      const item = String(p.handoverItemId ?? p.disputeItemId);
      photosByItem.set(item, (photosByItem.get(item) ?? 0) + 1);
    }
    const userids = [...new Set(handovers.flatMap((h) => [h.outgoingUserid, ...(h.incomingUserid ? [h.incomingUserid] : [])]))];
    const names = new Map((await db.staff.findMany({ where: { userid: { in: userids } }, select: { userid: true, name: true } })).map((s) => [s.userid, s.name]));
    return handovers.map((h) => ({
      id: String(h.id),
      cells: {
        id: `#${h.id}`,
        started: dateTime(h.startedAt, timezone),
        outgoing: names.get(h.outgoingUserid) ?? h.outgoingUserid,
        incoming: h.incomingUserid ? (names.get(h.incomingUserid) ?? h.incomingUserid) : null,
        state: STATE_TEXT[h.state] ?? h.state,
        answered: `${h.items.filter((i) => i.answeredAt).length}/${h.items.length}`,
        flagged: h.items.filter((i) => i.finding).length,
        disputed: h.items.filter((i) => i.confirmation === 'disputed').length,
        photos: h.items.reduce((sum, i) => sum + (photosByItem.get(String(i.id)) ?? 0), 0),
        findings: h.items.flatMap((i) => (i.finding ? [`${i.label}：${i.finding}`] : [])).join('；') || null,
      },
    }));
  },
  detail: {
    // The photos beside the item, where a phone shows them without scrolling the table.
    columns: columns({ position: '序号', label: '项目', photos: ['照片', 'photos'] }, { status: ['状态', 'select'], answer: '填写', finding: '异常说明', confirmation: ['接班确认', 'select'] }),
    async rows({ db, timezone }, storeCode, rowId) {
      const handover = /^\d+$/.test(rowId) ? await db.handover.findUnique({ where: { id: BigInt(rowId) }, include: { items: { orderBy: { position: 'asc' } } } }) : null;
      if (!handover || handover.storeCode !== storeCode) return null;
      const itemIds = handover.items.map((i) => i.id);
      const photos = await db.mediaFile.findMany({ where: { OR: [{ handoverItemId: { in: itemIds } }, { disputeItemId: { in: itemIds } }] }, orderBy: { id: 'asc' } });
      const photosOf = (id: bigint) => photos.filter((p) => p.handoverItemId === id || p.disputeItemId === id).map((p) => photoPath(storeCode, p.id));
      return {
        title: `交接 #${handover.id}（${dateTime(handover.startedAt, timezone)}，${STATE_TEXT[handover.state] ?? handover.state}）`,
        summary: `${handover.items.length} 项，照片 ${photos.length} 张；点照片放大。`,
        rows: handover.items.map((i) => ({
          id: String(i.id),
          cells: {
            position: i.position,
            label: i.label,
            status: ITEM_STATUS[i.status] ?? i.status,
            answer: answerText(i.answer),
            finding: [i.finding, i.disputeNote && `异议：${i.disputeNote}`].filter(Boolean).join('；') || null,
            confirmation: i.confirmation ? (CONFIRMATION[i.confirmation] ?? i.confirmation) : null,
            photos: photosOf(i.id).join(' ') || null,
          },
        })),
      };
    },
  },
};

/**
 * The handovers on a store's console page, and their photos (an item's, or a dispute's): they
 * belong to the handover's store, whatever store the sender had.
 */
export function registerHandoverConsole(bot: BotRegistry): void {
  bot.consoleSection(handoverSection);
  bot.consolePhotos(async (db, photo) => {
    const itemId = photo.handoverItemId ?? photo.disputeItemId;
    if (itemId === null) return undefined;
    const item = await db.handoverItem.findUnique({ where: { id: itemId }, select: { handover: { select: { storeCode: true } } } });
    return item?.handover.storeCode ?? null;
  });
}
