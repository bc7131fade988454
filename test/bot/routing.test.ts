import type { InboundMessage } from '../../src/bot/message';
import { BotRegistry } from '../../src/bot/registry';
import { loadConfig } from '../../src/config';

const base = { id: '1', dedupeKey: 'k', fromUser: 'u', createTime: 1 };
const textMsg = (content: string): InboundMessage => ({ ...base, msgType: 'text', content });
const eventMsg = (event: string, eventKey?: string): InboundMessage => ({ ...base, msgType: 'event', event, eventKey });

function registry() {
  const bot = new BotRegistry(loadConfig({}));
  const noop = () => undefined;
  bot.command('查', noop, '查询');
  bot.command(['查库存', '库存'], noop, '查库存');
  bot.hears(/^\d+$/, noop);
  bot.card('stock.undo', noop);
  bot.menuClick('handover.start', noop);
  bot.scan('stock.scanReceive', noop);
  bot.on('image', noop);
  bot.onEvent('enter_agent', noop);
  bot.on('location', noop);
  bot.fallback(noop);
  return bot;
}

it('matches the longest command name and passes the rest as args', () => {
  const r = registry().resolve(textMsg('  查库存　奶油 '))!;
  expect(r.route.name).toBe('command 查库存');
  expect(r.found.args).toBe('奶油');
  expect(registry().resolve(textMsg('查 牛奶'))!.route.name).toBe('command 查');
});

it('routes card taps, menu clicks and scans by key, with the argument after the colon', () => {
  const bot = registry();
  expect(bot.resolve(eventMsg('template_card_event', 'stock.undo:42'))).toMatchObject({ route: { name: 'card stock.undo' }, found: { keyArg: '42' } });
  expect(bot.resolve(eventMsg('template_card_event', 'stock.undoAll'))!.route.name).toBe('fallback');
  expect(bot.resolve(eventMsg('click', 'handover.start'))!.route.name).toBe('menu handover.start');
  expect(bot.resolve(eventMsg('scancode_waitmsg', 'stock.scanReceive'))!.route.name).toBe('scan stock.scanReceive');
  // A card key is not a menu key.
  expect(bot.resolve(eventMsg('click', 'stock.undo'))!.route.name).toBe('fallback');
});

it('routes message types and events, and falls back for the rest', () => {
  const bot = registry();
  expect(bot.resolve({ ...base, msgType: 'image', mediaId: 'm' })!.route.name).toBe('on image');
  expect(bot.resolve(eventMsg('enter_agent'))!.route.name).toBe('event enter_agent');
  // WeCom's periodic location report is an event named like the location message: not the same route.
  expect(bot.resolve({ ...base, msgType: 'location', location: { latitude: 31.2, longitude: 121.4 } })!.route.name).toBe('on location');
  expect(bot.resolve(eventMsg('location'))!.route.name).toBe('fallback');
  expect(bot.resolve(textMsg('123'))!.route.name).toBe('hears /^\\d+$/');
  expect(bot.resolve({ ...base, msgType: 'voice' })!.route.name).toBe('fallback');
});

it('refuses to register one cron job name twice', () => {
  const bot = new BotRegistry(loadConfig({}));
  bot.cron('x.doThing', '* * * * *', () => undefined);
  expect(() => bot.cron('x.doThing', '0 * * * *', () => undefined)).toThrow(/twice/);
});

it('keeps one source per score part and refuses a second or an unknown name', () => {
  const bot = new BotRegistry();
  const source = async () => new Map();
  bot.scorePart('inventoryAccuracy', source);
  expect(bot.scoreParts.get('inventoryAccuracy')).toBe(source);
  expect(() => bot.scorePart('inventoryAccuracy', source)).toThrow(/twice/);
  expect(() => bot.scorePart('friendliness' as never, source)).toThrow(/unknown score part/);
});
