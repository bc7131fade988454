import type { BotRegistry } from '../../../bot/registry';
import { assignReasonByText, assignReasonsFromCard, showUsage } from './commands';
import { usageSection } from './console';
import { USAGE_CARDS } from './keys';

export { reportClosedPeriods } from './commands';
export { usageAccuracyPart } from './score';

/** Theoretical vs actual usage per count period (README: "Usage report"): in chat and on the store's console page. */
export function registerUsage(bot: BotRegistry): void {
  bot.command(['用量', '用量报告'], showUsage, '店长看理论与实际用量的差异：用量');
  bot.command('差异原因', assignReasonByText, '给用量差异填原因：差异原因 牛奶 份量');
  bot.card(USAGE_CARDS.assignReasons, assignReasonsFromCard);
  bot.consoleSection(usageSection);
}
