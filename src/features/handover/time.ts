/** `11月25日 14:30` (or `14:30`) in the chain's time zone, for cards and summaries. */
export function formatLocal(at: Date, timezone: string, timeOnly = false): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: timezone, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const time = `${parts.hour}:${parts.minute}`;
  return timeOnly ? time : `${parts.month}月${parts.day}日 ${time}`;
}
