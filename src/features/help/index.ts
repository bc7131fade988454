import type { BotContext } from '../../bot/context';
import { namespaced } from '../../bot/keys';
import type { BotRegistry, Feature } from '../../bot/registry';

const NUMBER_WITHOUT_QUESTION = '这个数量记到哪儿？先用菜单「库存 → 扫码入库 / 扫码报损 / 扫码盘点」扫商品条码，或写全，例如：入库 牛奶 2箱。交班时按卡片提示回数字。';

/** What shows the list of commands; a handover waiting for an answer lets these through too. */
export const HELP_COMMANDS = ['帮助', '菜单', 'help'];

/** The app menu's button that shows the list of commands. */
const HELP_MENU = namespaced('help', ['show']);

const GREETING = '你好，我是门店助手。发送「帮助」看看我能做什么。';

/**
 * The bot's manners: a greeting when someone opens the app, the list of commands on request,
 * and a polite answer to anything no feature understands.
 */
export const helpFeature: Feature = {
  name: 'help',
  register(bot) {
    bot.command(HELP_COMMANDS, (ctx) => ctx.reply(helpText(bot)), '查看我能做什么');
    bot.menuClick(HELP_MENU.show, (ctx) => ctx.reply(helpText(bot)));
    bot.menuButton({ type: 'click', name: '帮助', key: HELP_MENU.show }, { under: '更多' });
    bot.onEvent('enter_agent', greet);
    bot.onEvent('subscribe', greet);
    bot.fallback(async (ctx) => {
      const m = ctx.message;
      // Passive events (location reports, link views) need no answer; a person's action does.
      if (m.msgType === 'event' && !['click', 'scancode_push', 'scancode_waitmsg', 'template_card_event'].includes(m.event ?? '')) return;
      if (m.msgType === 'event') return ctx.reply('这个按钮暂时没有对应的功能，发送「帮助」查看可用的操作。');
      // A bare quantity that no scan, transfer or handover is waiting for.
      if (m.msgType === 'text' && /^[\d零〇一二两三四五六七八九十]/.test(m.content ?? '')) return ctx.reply(NUMBER_WITHOUT_QUESTION);
      if (m.msgType === 'text') return ctx.reply(`没看懂「${clip(m.content ?? '')}」。发送「帮助」查看我能做什么。`);
      return ctx.reply('暂时还处理不了这类消息。发送「帮助」查看我能做什么。');
    });
  },
};

/** WeCom reports every opening of the app; only someone new is greeted, once. */
async function greet(ctx: BotContext) {
  const earlier = await ctx.db.inboundMessage.count({ where: { fromUser: ctx.message.fromUser, id: { lt: BigInt(ctx.message.id) } } });
  if (earlier === 0) await ctx.reply(GREETING);
}

export function helpText(bot: BotRegistry): string {
  const lines = bot.commands.map((c) => `· ${c.names[0]}${c.description ? ` — ${c.description}` : ''}`);
  return ['我能帮你做这些：', ...lines].join('\n');
}

function clip(text: string): string {
  return text.length > 20 ? `${text.slice(0, 20)}…` : text;
}
