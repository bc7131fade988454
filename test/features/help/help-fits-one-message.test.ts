import { BotRegistry } from '../../../src/bot/registry';
import { loadConfig } from '../../../src/config';
import { helpText } from '../../../src/features/help';
import { BOT_FEATURES } from '../../../src/main';
import { CONTENT_LIMIT_BYTES } from '../../../src/platform/outbound';

/** 帮助 is read on a phone mid-shift: one message, not a list cut in two by WeCom's text limit. */
it('lists every command of the bot in one WeCom text message', () => {
  const bot = new BotRegistry(loadConfig({}));
  for (const feature of BOT_FEATURES) feature.register(bot);
  const text = helpText(bot);
  expect(text.split('\n').length).toBe(bot.commands.length + 1);
  expect(Buffer.byteLength(text)).toBeLessThanOrEqual(CONTENT_LIMIT_BYTES);
});
