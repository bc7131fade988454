import type { BotRegistry } from '../../../bot/registry';
import { confirmOrder, suggestOrder } from './commands';
import { ORDER_CARDS } from './keys';

/** Suggested orders per supplier (README: "Suggested order"): `建议订货` and its 确认订货 card. */
export function registerOrdering(bot: BotRegistry): void {
  bot.command('建议订货', suggestOrder, '店长看建议订货量并确认：建议订货');
  bot.card(ORDER_CARDS.confirmOrder, confirmOrder);
}
