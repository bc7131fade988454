import { columns, type ConsoleSection } from '../../console/types';
import type { RosterSettings } from './settings';
import { chainDate } from '../../timezone';
import { dayText, hoursText, plannedShifts } from './schedule';

/** The store's shifts from today over ROSTER_DAYS days, as planned (withdrawn shifts left out). */
export const rosterSection = (settings: RosterSettings): ConsoleSection => ({
  key: 'roster',
  title: '排班',
  order: 15,
  columns: columns({ day: ['日期', 'select'], name: ['同事', 'select'], hours: '班次', length: '时长（小时）' }),
  async rows({ db, clock, timezone }, storeCode) {
    const shifts = await plannedShifts(db, { storeCode }, chainDate(clock.now(), timezone), settings.days, timezone);
    return shifts.map((s) => ({
      cells: {
        day: dayText(chainDate(s.startsAt, timezone)),
        name: s.name,
        hours: hoursText(s, timezone),
        length: Math.round((s.endsAt.getTime() - s.startsAt.getTime()) / 360_000) / 10,
      },
    }));
  },
});
