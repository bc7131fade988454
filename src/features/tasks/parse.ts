import * as chrono from 'chrono-node';
import { fromWallClock, zoneOffsetMinutes } from '../../timezone';

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

export type TaskCommandProblem = 'noTime' | 'noTitle';

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
  const [found] = chrono.zh.hans.parse(withoutMentions, { instant: now, timezone: zoneOffsetMinutes(now, timezone) }, { forwardDate: true });
  if (!found) return 'noTime';
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
  const title = rest.replace(/\s+/g, ' ').replace(/^[\s,，:：、]+|[\s,，。、]+$/g, '').trim();
  if (!title) return 'noTitle';
  return { dueAt, timeGiven, title, mentions };
}
