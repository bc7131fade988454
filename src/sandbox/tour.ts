import type { BotContext } from '../bot/context';
import { namespaced } from '../bot/keys';
import type { Feature } from '../bot/registry';
import { templateCard } from '../platform/outbound';

/**
 * Sandbox only: a card to tap (`演示卡片`), so a visitor sees the round trip (send, tap callback,
 * update_template_card) on its own. Scanning is the stock feature's menu (库存 → 扫码入库…): WeCom
 * allows three top-level menu buttons, and the production menu needs them.
 */
const TOUR_CARDS = namespaced('sandbox', ['tourTap']);

export const sandboxTourFeature: Feature = {
  name: 'sandboxTour',
  register(bot) {
    bot.command('演示卡片', sendTourCard, '沙盒：发一张可以点的卡片');

    bot.card(TOUR_CARDS.tourTap, async (ctx) => {
      await ctx.updateCard({ replaceName: `已选择：${ctx.keyArg}` });
      await ctx.reply(`收到，你点了「${ctx.keyArg}」。`);
    });
  },
};

async function sendTourCard(ctx: BotContext) {
  await ctx.reply(
    templateCard({
      card_type: 'button_interaction',
      source: { desc: '门店助手 · 沙盒' },
      main_title: { title: '这是一张互动卡片', desc: '点一个按钮，卡片会在原处更新' },
      sub_title_text: '真实企业微信里，按钮的点击会以加密回调送到机器人，和这里一模一样。',
      button_list: [
        { text: '确认', style: 1, key: `${TOUR_CARDS.tourTap}:确认` },
        { text: '稍后', style: 2, key: `${TOUR_CARDS.tourTap}:稍后` },
      ],
    }),
  );
}
