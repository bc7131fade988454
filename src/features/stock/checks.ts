import type { BotRegistry } from '../../bot/registry';
import { approveLoss, cancelLoss, confirmLoss, rejectLoss } from './loss-review';
import { showPoints } from './points';

/**
 * The checks around stock entries: waste over the day's limit held for review, late entries and
 * the store points they cost.
 */
export function registerStockChecks(bot: BotRegistry): void {
  bot.card('stock.lossConfirm', confirmLoss);
  bot.card('stock.lossCancel', cancelLoss);
  bot.card('stock.lossApprove', approveLoss);
  bot.card('stock.lossReject', rejectLoss);
  bot.command('积分', showPoints, '门店积分：积分 S001（店长、区域经理）');
}
