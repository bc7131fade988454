import type { InboundMessage } from '../../src/bot/message';
import { BotRegistry } from '../../src/bot/registry';
import { loadConfig } from '../../src/config';

const base = { id: '1', dedupeKey: 'k', fromUser: 'u', createTime: 1 };
const textMsg = (content: string): InboundMessage => ({ ...base, msgType: 'text', content });
const eventMsg = (event: string, eventKey?: string): InboundMessage => ({ ...base, msgType: 'event', event, eventKey });

/** The route a message goes to when no guard is involved. */
const first = (bot: BotRegistry, message: InboundMessage) => bot.matches(message).next().value ?? null;

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
  const r = first(registry(), textMsg('  查库存　奶油 '))!;
  expect(r.route.name).toBe('command 查库存');
  expect(r.found.args).toBe('奶油');
  expect(first(registry(), textMsg('查 牛奶'))!.route.name).toBe('command 查');
});

it('routes card taps, menu clicks and scans by key, with the argument after the colon', () => {
  const bot = registry();
  expect(first(bot, eventMsg('template_card_event', 'stock.undo:42'))).toMatchObject({ route: { name: 'card stock.undo' }, found: { keyArg: '42' } });
  expect(first(bot, eventMsg('template_card_event', 'stock.undoAll'))!.route.name).toBe('fallback');
  expect(first(bot, eventMsg('click', 'handover.start'))!.route.name).toBe('menu handover.start');
  expect(first(bot, eventMsg('scancode_waitmsg', 'stock.scanReceive'))!.route.name).toBe('scan stock.scanReceive');
  // A card key is not a menu key.
  expect(first(bot, eventMsg('click', 'stock.undo'))!.route.name).toBe('fallback');
});

it('routes message types and events, and falls back for the rest', () => {
  const bot = registry();
  expect(first(bot, { ...base, msgType: 'image', mediaId: 'm' })!.route.name).toBe('on image');
  expect(first(bot, eventMsg('enter_agent'))!.route.name).toBe('event enter_agent');
  // WeCom's periodic location report is an event named like the location message: not the same route.
  expect(first(bot, { ...base, msgType: 'location', location: { latitude: 31.2, longitude: 121.4 } })!.route.name).toBe('on location');
  expect(first(bot, eventMsg('location'))!.route.name).toBe('fallback');
  expect(first(bot, textMsg('123'))!.route.name).toBe('hears /^\\d+$/');
  expect(first(bot, { ...base, msgType: 'voice' })!.route.name).toBe('fallback');
});

it('lists every matching route in order, so a guarded route can pass a message on', () => {
  const bot = new BotRegistry(loadConfig({}));
  const noop = () => undefined;
  bot.hears(/^\d+$/, noop, { when: () => false });
  bot.hears(/^\d/, noop);
  bot.fallback(noop);
  const routes = [...bot.matches(textMsg('3'))];
  expect(routes.map((c) => c.route.name)).toEqual(['hears /^\\d+$/', 'hears /^\\d/', 'fallback']);
  expect(routes[0].route.when).toBeDefined();
});

it('tries an awaited-text route before every command, except for the texts it lets through', () => {
  const bot = registry();
  bot.awaitedText('handover.answer', () => undefined, { when: () => true, except: ['帮助'] });
  expect([...bot.matches(textMsg('查库存 奶油'))].map((c) => c.route.name).slice(0, 2)).toEqual(['awaited handover.answer', 'command 查库存']);
  expect(first(bot, textMsg('帮助'))!.route.name).toBe('fallback');
  expect(first(bot, { ...base, msgType: 'image', mediaId: 'm' })!.route.name).toBe('on image');
});

it('keeps the app menu within WeCom limits, gathering the rest under a shared entry', () => {
  const bot = new BotRegistry(loadConfig({}));
  bot.menuButton({ type: 'click', name: '库存', key: 'a' });
  bot.menuButton({ type: 'click', name: '帮助', key: 'b' }, { under: '更多' });
  bot.menuButton({ type: 'view', name: '管理台', url: 'https://x.example/console/' }, { under: '更多' });
  bot.menuButton({ type: 'click', name: '交班', key: 'c' });
  expect(bot.menu.map((b) => b.name)).toEqual(['库存', '更多', '交班']);
  expect(bot.menu[1].sub_button!.map((b) => b.name)).toEqual(['帮助', '管理台']);
  expect(() => bot.menuButton({ type: 'click', name: '第四个', key: 'd' })).toThrow(/more than 3 top-level/);
  for (const name of ['一', '二', '三']) bot.menuButton({ type: 'click', name, key: name }, { under: '更多' });
  expect(() => bot.menuButton({ type: 'click', name: '六', key: '6' }, { under: '更多' })).toThrow(/more than 5 sub-buttons/);
});

it('refuses to register one cron job name twice', () => {
  const bot = new BotRegistry(loadConfig({}));
  bot.cron('x.doThing', '* * * * *', () => undefined);
  expect(() => bot.cron('x.doThing', '0 * * * *', () => undefined)).toThrow(/twice/);
});

it('keeps one source per score part and refuses a second or an unknown name', () => {
  const bot = new BotRegistry(loadConfig({}));
  const source = async () => new Map();
  bot.scorePart('inventoryAccuracy', source);
  expect(bot.scoreParts.get('inventoryAccuracy')).toBe(source);
  expect(() => bot.scorePart('inventoryAccuracy', source)).toThrow(/twice/);
  expect(() => bot.scorePart('friendliness' as never, source)).toThrow(/unknown score part/);
});
