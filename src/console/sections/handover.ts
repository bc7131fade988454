import { verifyChain } from '../../features/handover/log';
import { STATE_TEXT } from '../../features/handover/records';
import { dateTime, type ConsoleSection } from './types';

/** The store's handovers of the last 30 days, with their flagged items and photos, under the hash-chain check. */
export const handoverSection: ConsoleSection = {
  key: 'handovers',
  title: '交接班',
  columns: [
    { key: 'id', label: '编号' },
    { key: 'started', label: '开始' },
    { key: 'outgoing', label: '交班人', filter: 'select' },
    { key: 'incoming', label: '接班人', filter: 'select' },
    { key: 'state', label: '状态', filter: 'select' },
    { key: 'answered', label: '已填项' },
    { key: 'flagged', label: '异常项' },
    { key: 'disputed', label: '有异议' },
    { key: 'photos', label: '照片' },
    { key: 'findings', label: '异常说明' },
  ],
  async summary({ db }, storeCode) {
    const chain = await verifyChain(db, storeCode);
    return chain.ok ? `交接日志哈希链完整（${chain.entries} 条记录，未被改动）。` : `⚠ 交接日志哈希链在第 ${chain.brokenAt} 条断开：${chain.reason}。`;
  },
  async rows({ db, clock, timezone }, storeCode) {
    const since = new Date(clock.now().getTime() - 30 * 86_400_000);
    const handovers = await db.handover.findMany({ where: { storeCode, startedAt: { gte: since } }, include: { items: true }, orderBy: { startedAt: 'desc' }, take: 500 });
    const photos = await db.mediaFile.groupBy({ by: ['handoverItemId'], where: { handoverItemId: { in: handovers.flatMap((h) => h.items.map((i) => i.id)) } }, _count: true });
    const photosByItem = new Map(photos.map((p) => [String(p.handoverItemId), p._count]));
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
};
