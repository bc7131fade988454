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

it('reads each date whole, of this week, the next and the one after', () => {
  expect(parse('下下周三 清洁 @李强')).toEqual({ dueAt: new Date('2026-12-09T10:00:00Z'), timeGiven: false, title: '清洁', mentions: ['李强'] });
  expect(parse('下下周三下午3点前 清洁')).toMatchObject({ dueAt: new Date('2026-12-09T07:00:00Z'), timeGiven: true, title: '清洁' });
  expect(parse('下周三 清洁')).toMatchObject({ dueAt: new Date('2026-12-02T10:00:00Z'), title: '清洁' });
  expect(parse('本周五 清洁')).toMatchObject({ dueAt: new Date('2026-11-27T10:00:00Z'), title: '清洁' });
  expect(parse('这周日前 清洁')).toMatchObject({ dueAt: new Date('2026-11-29T10:00:00Z'), title: '清洁' });
  expect(parse('明天下午3点 清洁')).toMatchObject({ dueAt: new Date('2026-11-26T07:00:00Z'), timeGiven: true, title: '清洁' });
  expect(parse('12月20日 清洁')).toMatchObject({ dueAt: new Date('2026-12-20T10:00:00Z'), title: '清洁' });
  expect(parse('清洁 下下周一')).toMatchObject({ dueAt: new Date('2026-12-07T10:00:00Z'), title: '清洁' });
});

it('asks back a date it reads only part of, instead of leaving the rest in the title', () => {
  expect(parse('每周五 清洁')).toEqual({ unreadableTime: '每周五' });
  expect(parse('第二周周五 清洁')).toEqual({ unreadableTime: '第二周周五' });
  expect(parse('下个月3号 清洁')).toBe('noTime');
  // A title that merely starts with such a word, apart from the date, is the title.
  expect(parse('周五 周会材料')).toMatchObject({ title: '周会材料' });
});
