import type { InboundMessage } from '../../src/bot/message';
import { BotRegistry } from '../../src/bot/registry';
import { loadConfig } from '../../src/config';
import { FEATURES } from '../../src/features';
import { HANDOVER_CARDS, HANDOVER_MENU } from '../../src/features/handover/keys';
import { STOCK_CARDS } from '../../src/features/stock/keys';
import { TASK_CARDS } from '../../src/features/tasks/keys';
import { WORKORDER_CARDS } from '../../src/features/workorders/keys';

/** Each feature declares its keys once (keys.ts); every declared key is one the bot answers, by the handler registered under it. */
const bot = new BotRegistry(loadConfig({}));
for (const feature of FEATURES) feature.register(bot);
const tap = (event: string, eventKey: string): InboundMessage => ({ id: '1', dedupeKey: 'k', fromUser: 'u', createTime: 1, msgType: 'event', event, eventKey });
const routeOf = (message: InboundMessage) => bot.matches(message).next().value?.route.name;

it.each(Object.values({ ...STOCK_CARDS, ...HANDOVER_CARDS, ...WORKORDER_CARDS, ...TASK_CARDS }))('answers the card key %s', (key) => {
  expect(routeOf(tap('template_card_event', `${key}:1`))).toBe(`card ${key}`);
});

it.each(Object.values(HANDOVER_MENU))('answers the menu key %s', (key) => {
  expect(routeOf(tap('click', key))).toBe(`menu ${key}`);
});
