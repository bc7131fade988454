import { parseTaskCommand } from '../../../src/features/tasks/parse';

/** 10:00 on Wednesday 2026-11-25 in Shanghai. */
const NOW = new Date('2026-11-25T02:00:00Z');
const parse = (text: string, timezone = 'Asia/Shanghai') => parseTaskCommand(text, NOW, timezone);

it('reads the deadline in the chain time zone, the mentions and the title', () => {
  expect(parse('明早9点前 清洁制冰机 @张三')).toEqual({ dueAt: new Date('2026-11-26T01:00:00Z'), timeGiven: true, title: '清洁制冰机', mentions: ['张三'] });
  expect(parse('清洁制冰机 明天早上九点之前 @zhangsan @李四')).toMatchObject({ dueAt: new Date('2026-11-26T01:00:00Z'), title: '清洁制冰机', mentions: ['zhangsan', '李四'] });
  expect(parse('今晚8点半前，拖地')).toMatchObject({ dueAt: new Date('2026-11-25T12:30:00Z'), title: '拖地' });
  expect(parse('11月28日 18:00前 交周报表')).toMatchObject({ dueAt: new Date('2026-11-28T10:00:00Z'), title: '交周报表' });
  // The same words mean another instant in another zone.
  expect(parse('明早9点前 清洁制冰机', 'Europe/Berlin')).toMatchObject({ dueAt: new Date('2026-11-26T08:00:00Z') });
});

it('counts relative times from now', () => {
  expect(parse('30分钟后 检查冷柜')).toMatchObject({ dueAt: new Date('2026-11-25T02:30:00Z'), title: '检查冷柜' });
  expect(parse('2小时后 补货')).toMatchObject({ dueAt: new Date('2026-11-25T04:00:00Z') });
});

it('takes the end of the working day when only a date is given', () => {
  expect(parse('周五前 盘点')).toEqual({ dueAt: new Date('2026-11-27T10:00:00Z'), timeGiven: false, title: '盘点', mentions: [] });
  expect(parse('后天 清理排水沟')).toMatchObject({ dueAt: new Date('2026-11-27T10:00:00Z'), timeGiven: false });
});

it('says what is missing', () => {
  expect(parse('清洁制冰机 @张三')).toBe('noTime');
  expect(parse('明早9点前 @张三')).toBe('noTitle');
  // A past time is read as written; the command refuses it.
  expect(parse('今天早上8点前 开门')).toMatchObject({ dueAt: new Date('2026-11-25T00:00:00Z') });
});
