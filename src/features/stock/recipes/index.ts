import type { BotRegistry } from '../../../bot/registry';
import { PRODUCTION_COMMANDS, readsAsProduction, recordProduction, showRecipe } from './chat';
import { recipesSection, unmappedSalesSection } from './console';
import { bookUnmappedSales } from './sales';

/** Often enough that a recipe imported now books the day's unmapped sales before anyone asks. */
const MAPPING_SCHEDULE = '*/5 * * * *';

/**
 * Recipes (配方): POS sales of menu items consume ingredients (sales.ts, called by the sales
 * document), unmapped sales are booked once their recipe arrives, and in chat staff look a recipe
 * up and book what they prepared (chat.ts).
 */
export function registerRecipes(bot: BotRegistry): void {
  bot.command('配方', showRecipe, '查配方：配方 珍珠奶茶');
  bot.command([...PRODUCTION_COMMANDS], recordProduction, '按配方记出品：出炉 吐司 20条、煮珍珠 2锅');
  bot.hears(/^\s*煮/u, recordProduction, { when: readsAsProduction });
  bot.consoleSection(recipesSection);
  bot.consoleSection(unmappedSalesSection);
  bot.cron('stock.bookUnmappedSales', MAPPING_SCHEDULE, async (job) => {
    const mapped = await bookUnmappedSales(job.db, job.config, job.clock.now());
    if (mapped > 0) job.log.info({ mapped }, 'unmapped sales booked by their recipes');
  });
}
