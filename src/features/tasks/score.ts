import type { PartMeasure, ScorePartSource } from '../../bot/registry';

interface KindRow {
  store_code: string;
  kind: string;
  /** The latest late task's title (null: none was late). */
  title: string | null;
  /** How many different titles the late tasks had. */
  titles: number;
  tasks: number;
  on_time: number;
  acted_late: number;
  /** Minutes past due of the tasks acted on late. */
  late_minutes: number[] | null;
}

/**
 * Task response timeliness (health-score part `taskTimeliness`): of the tasks due in the period
 * (cancelled ones left out), the share acted on — 知道了 or 完成 — at or before their due time.
 * Acted on later, or never (expired, still open), is late. Facts: the counts and the median
 * delay of the tasks acted on late; losses: the kinds of task that were late most often.
 * A store with no task due in the period is absent.
 */
export const measureTaskTimeliness: ScorePartSource = async (db, period, storeCodes) => {
  if (storeCodes.length === 0) return new Map();
  const rows = await db.$queryRaw<KindRow[]>`
    SELECT store_code, kind, COUNT(*)::int AS tasks,
           -- What the late ones were: the latest one's title, and how many different titles.
           (array_agg(title ORDER BY due_at DESC, title) FILTER (WHERE acted_at IS NULL OR acted_at > due_at))[1] AS title,
           (COUNT(DISTINCT title) FILTER (WHERE acted_at IS NULL OR acted_at > due_at))::int AS titles,
           (COUNT(*) FILTER (WHERE acted_at <= due_at))::int AS on_time,
           (COUNT(*) FILTER (WHERE acted_at > due_at))::int AS acted_late,
           array_agg(EXTRACT(EPOCH FROM acted_at - due_at)::float8 / 60) FILTER (WHERE acted_at > due_at) AS late_minutes
    FROM (
      SELECT store_code, kind, title, due_at,
             -- Acting on it is the first of 知道了 and 完成 (a task closed as expired was never acted on).
             LEAST(acknowledged_at, CASE WHEN state = 'done' THEN closed_at END) AS acted_at
      FROM task
      WHERE store_code = ANY(${storeCodes}) AND due_at >= ${period.start} AND due_at < ${period.end} AND state <> 'cancelled'
    ) t
    GROUP BY store_code, kind
    ORDER BY store_code, kind`;

  const byStore = new Map<string, KindRow[]>();
  for (const row of rows) byStore.set(row.store_code, [...(byStore.get(row.store_code) ?? []), row]);
  const result = new Map<string, PartMeasure>();
  for (const [store, kinds] of byStore) {
    const tasks = sum(kinds, (k) => k.tasks);
    const onTime = sum(kinds, (k) => k.on_time);
    const actedLate = sum(kinds, (k) => k.acted_late);
    const delays = kinds.flatMap((k) => k.late_minutes ?? []);
    result.set(store, {
      ratio: onTime / tasks,
      facts: {
        tasks,
        onTime,
        actedLate,
        neverActed: tasks - onTime - actedLate,
        onTimeShare: round(onTime / tasks, 3),
        medianDelayMinutes: delays.length ? Math.round(median(delays)) : 0,
      },
      losses: kinds
        .map((k) => ({ late: k.tasks - k.on_time, k }))
        .filter(({ late }) => late > 0)
        .sort((a, b) => b.late - a.late || a.k.kind.localeCompare(b.k.kind))
        .map(({ late, k }) => ({ label: `「${k.title}」${k.titles > 1 ? '等 ' : ''}${late} 个任务超时`, lost: round(late / tasks, 4) })),
    });
  }
  return result;
};

const sum = <T>(items: T[], f: (item: T) => number) => items.reduce((n, item) => n + f(item), 0);
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
