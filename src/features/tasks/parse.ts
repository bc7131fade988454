import * as chrono from 'chrono-node';
import { fromWallClock, wallClock, zoneOffsetMinutes } from '../../timezone';

/** A date without a time (`周五前 盘点`) means the end of that working day. */
export const DEFAULT_DUE_HOUR = 18;

export interface TaskCommand {
  dueAt: Date;
  /** Whether the time of day was given, or DEFAULT_DUE_HOUR was taken. */
  timeGiven: boolean;
  title: string;
  /** What followed each @, as typed (`张三`, `zhangsan`), for the caller to resolve against staff. */
  mentions: string[];
}

/** `noTime`: no deadline at all; `unreadableTime`: a date the parser read only part of (`text`, as written). */
export type TaskCommandProblem = 'noTime' | 'noTitle' | { unreadableTime: string };

/** Chinese relative times (`30分钟后`, `2小时以后`): counted from now, whatever the time zone. */
const RELATIVE = /(后|以后|之后)\s*$/;

/**
 * Reads `明早9点前 清洁制冰机 @张三`: the deadline (chrono-node's Chinese parser, in the chain's
 * time zone), the mentions and, what is left, the title.
 */
export function parseTaskCommand(text: string, now: Date, timezone: string): TaskCommand | TaskCommandProblem {
  const mentions: string[] = [];
  const withoutMentions = text.replace(/[@＠](\S+)/g, (_, name: string) => {
    mentions.push(name);
    return ' ';
  });
  const [found] = chineseDates(now, timezone).parse(withoutMentions, { instant: now, timezone: zoneOffsetMinutes(now, timezone) }, { forwardDate: true });
  if (!found) return 'noTime';
  // A date word right against what chrono read (`每` of 每周五, `第二周` of 第二周周五) means it
  // read only part of the date: asked back, never left half in the title.
  const before = withoutMentions.slice(0, found.index);
  const after = withoutMentions.slice(found.index + found.text.length);
  if (DATE_WORD_BEFORE.test(before) || (!/\s$/.test(found.text) && DATE_WORD_AFTER.test(after))) {
    const start = before.search(/\S*$/);
    const end = found.index + found.text.length + (/^\S*/.exec(after)?.[0].replace(/(之前|以前|前).*$/, '').length ?? 0);
    return { unreadableTime: withoutMentions.slice(start, end).trim() };
  }
  let dueAt = found.start.date();
  if (RELATIVE.test(found.text)) {
    // chrono's Chinese relative parser reads the reference in the host's zone, not the given one.
    dueAt = chrono.zh.hans.parse(found.text, { instant: now })[0]?.start.date() ?? dueAt;
  }
  const timeGiven = found.start.isCertain('hour');
  if (!timeGiven) {
    dueAt = fromWallClock({ year: found.start.get('year')!, month: found.start.get('month')!, day: found.start.get('day')!, hour: DEFAULT_DUE_HOUR, minute: 0, second: 0 }, timezone);
  }
  const rest = withoutMentions.slice(0, found.index) + ' ' + withoutMentions.slice(found.index + found.text.length).replace(/^\s*(之前|以前|前)/, '');
  const title = rest
    .replace(/\s+/g, ' ')
    .replace(/^[\s,，:：、]+|[\s,，。、]+$/g, '')
    .trim();
  if (!title) return 'noTitle';
  return { dueAt, timeGiven, title, mentions };
}

/** What may only stand right before or after a date, never start or end a title next to one. */
const DATE_WORD_BEFORE = /[下上本这每个第大周月]$/;
const DATE_WORD_AFTER = /^[号日周点时分半]/;

const WEEKDAYS: Record<string, number> = { 一: 0, 二: 1, 三: 2, 四: 3, 五: 4, 六: 5, 日: 6, 天: 6 };

/**
 * chrono's Chinese parser, with the weeks it does not read: `本周五` / `这周五` (this week, which
 * starts on Monday) and `下下周三` (the week after next). `下周三` it reads itself.
 */
function chineseDates(now: Date, timezone: string): chrono.Chrono {
  const parser = new chrono.Chrono(chrono.zh.hans.createCasualConfiguration());
  parser.parsers.unshift({
    pattern: () => /(下下|本|这)(?:个)?(?:周|星期|礼拜)([一二三四五六日天])/,
    extract: (_context, match) => {
      const today = wallClock(now, timezone);
      const noon = Date.UTC(today.year, today.month - 1, today.day, 12);
      const sinceMonday = (new Date(noon).getUTCDay() + 6) % 7;
      const weeks = match[1] === '下下' ? 2 : 0;
      const day = new Date(noon + (weeks * 7 - sinceMonday + WEEKDAYS[match[2]]) * 86_400_000);
      return { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
    },
  });
  return parser;
}
