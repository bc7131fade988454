import type { BotContext } from '../bot/context';
import type { Feature } from '../bot/registry';
import { templateCard } from '../platform/outbound';

/**
 * Sandbox only: a card to tap and a barcode to scan, so a visitor sees each round trip (send,
 * tap or scan callback, update_template_card) before the stock and handover features use them.
 */
export const sandboxTourFeature: Feature = (bot) => {
  bot.command('演示卡片', sendTourCard, '沙盒：发一张可以点的卡片');
  bot.menuClick('sandbox.tourCard', sendTourCard);

  bot.card('sandbox.tourTap', async (ctx) => {
    await ctx.updateCard({ replaceName: `已选择：${ctx.keyArg}` });
    await ctx.reply(`收到，你点了「${ctx.keyArg}」。`);
  });

  bot.scan('sandbox.tourScan', async (ctx) => {
    // Scanners prefix the symbology (`EAN_13,690…`); the code is what follows the comma.
    const code = (ctx.message.scan?.result ?? '').split(',').pop()!.trim();
    const found = await ctx.db.skuBarcode.findUnique({ where: { barcode: code }, include: { sku: true } });
    await ctx.reply(found ? `扫到：${found.sku.name}（${found.unit ?? found.sku.baseUnit}），条码 ${code}` : `条码 ${code} 不在商品目录里。`);
  });

  bot.menuButton({ type: 'click', name: '演示卡片', key: 'sandbox.tourCard' }, { under: '更多' });
  bot.menuButton({ type: 'scancode_waitmsg', name: '演示扫码', key: 'sandbox.tourScan' }, { under: '更多' });
};

async function sendTourCard(ctx: BotContext) {
  await ctx.reply(
    templateCard({
      card_type: 'button_interaction',
      source: { desc: '门店助手 · 沙盒' },
      main_title: { title: '这是一张互动卡片', desc: '点一个按钮，卡片会在原处更新' },
      sub_title_text: '真实企业微信里，按钮的点击会以加密回调送到机器人，和这里一模一样。',
      button_list: [
        { text: '确认', style: 1, key: 'sandbox.tourTap:确认' },
        { text: '稍后', style: 2, key: 'sandbox.tourTap:稍后' },
      ],
    }),
  );
}
