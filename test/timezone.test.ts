import { addDays, chainDate, chainDay, chainTimeText, localMinutes, parseLocalOrIso, startOfChainDate, weekdayOf } from '../src/timezone';

/** Days and times as the chain lives them, in its zone: Shanghai, and a zone with DST changes. */
it('reads the chain-local date, its start and its end, across a DST change too', () => {
  const at = new Date('2026-11-24T17:30:00Z'); // 01:30 on the 25th in Shanghai
  expect(chainDate(at, 'Asia/Shanghai')).toBe('2026-11-25');
  expect(chainDay(at, 'Asia/Shanghai')).toEqual({ date: '2026-11-25', start: new Date('2026-11-24T16:00:00Z'), end: new Date('2026-11-25T16:00:00Z') });
  // New York leaves summer time on 2026-11-01: that day has 25 hours.
  const day = chainDay(new Date('2026-11-01T12:00:00Z'), 'America/New_York');
  expect([day.start.toISOString(), day.end.toISOString()]).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
  expect(startOfChainDate('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
});

it('counts days and weekdays on dates, and writes times as chat shows them', () => {
  expect([addDays('2026-12-31', 1), addDays('2026-03-01', -1), weekdayOf('2026-11-23'), weekdayOf('2026-11-29')]).toEqual(['2027-01-01', '2026-02-28', 0, 6]);
  const at = new Date('2026-11-25T01:05:00Z');
  expect([chainTimeText(at, 'Asia/Shanghai'), chainTimeText(at, 'Asia/Shanghai', { timeOnly: true }), localMinutes(at, 'Asia/Shanghai')]).toEqual(['11月25日 09:05', '09:05', 545]);
  expect(chainTimeText(new Date('2026-11-24T16:00:00Z'), 'Asia/Shanghai')).toBe('11月25日 00:00');
  expect(parseLocalOrIso('2026-11-26 08:00', 'Asia/Shanghai')?.toISOString()).toBe('2026-11-26T00:00:00.000Z');
  expect(parseLocalOrIso('2026-02-30 08:00', 'Asia/Shanghai')).toBeNull();
});
