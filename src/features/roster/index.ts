import type { Feature } from '../../bot/registry';
import { showMyShifts, showStoreRoster } from './commands';
import { rosterSection } from './console';
import { seedRosterDemo } from './demo';
import { rosterSettings } from './settings';

/**
 * The shift schedule as staff and managers read it: `排班` (the store's day, who is in now),
 * `我的班` (one's own coming shifts), and the 排班 table on a store's console page. The schedule
 * itself is master data (`shifts`, imported by the admin CLI or the sync API); tasks and
 * handovers read it through masterdata's shift queries.
 */
export const rosterFeature: Feature = {
  name: 'roster',
  settings: rosterSettings,
  demo: seedRosterDemo,
  register(bot) {
    bot.command('排班', showStoreRoster, '看本店排班：排班 / 排班 明天');
    bot.command('我的班', showMyShifts, `看我接下来 ${bot.config.roster.days} 天的班`);
    bot.consoleSection(rosterSection(bot.config.roster));
  },
};
