import type { BotRegistry } from '../../../bot/registry';
import { showExpiringBatches } from './commands';
import { expiringSection } from './console';
import { EXPIRING_SCHEDULE, warnExpiringBatches } from './expiring';

/**
 * Shelf life and expiry (效期): the batches the booking keeps (batches.ts, run by after-move.ts),
 * `临期` / `效期` in chat, the morning alert of what expires soon, and the console's 临期 table.
 */
export function registerBatches(bot: BotRegistry): void {
  bot.command(['临期', '效期'], showExpiringBatches, `看 ${bot.config.stockChecks.expiryWarnDays} 天内到期的批次：临期`);
  bot.cron('stock.warnExpiringBatches', EXPIRING_SCHEDULE, warnExpiringBatches);
  bot.consoleSection(expiringSection);
}
