import type { BotRegistry } from '../../../bot/registry';
import { bookUnmappedSales } from './sales';

/** Often enough that a recipe imported now books the day's unmapped sales before anyone asks. */
const MAPPING_SCHEDULE = '*/5 * * * *';

/**
 * Recipes (配方): POS sales of menu items consume ingredients (sales.ts, called by the sales
 * document), and unmapped sales are booked once their recipe arrives.
 */
export function registerRecipes(bot: BotRegistry): void {
  bot.cron('stock.bookUnmappedSales', MAPPING_SCHEDULE, async (job) => {
    const mapped = await bookUnmappedSales(job.db, job.config, job.clock.now());
    if (mapped > 0) job.log.info({ mapped }, 'unmapped sales booked by their recipes');
  });
}
