import type { Feature } from '../../bot/registry';
import { seedMasterDataDemo } from './demo';
import { importMasterData } from './import';
import { KINDS, type Kind } from './rows';

export { importMasterData } from './import';
export { ALL_LINES, KINDS, type Kind } from './rows';
export { CHAIN_RECIPE } from './recipes';
export { availability, nextShiftStaff, staffOnShift } from './shifts';

/**
 * Master data arrives from the admin CLI (`npm run admin -- import …`) or, signed, from the
 * chain's ERP through the sync API: POST /api/sync/stores, …/staff, …/skus, …/sku-settings, …/shifts, …/menu-items, …/recipes with
 * a JSON array of rows. Either way, one importer: every bad row reported, nothing half-written.
 */
export const masterDataFeature: Feature = {
  name: 'masterdata',
  demo: seedMasterDataDemo,
  register(bot) {
    for (const kind of Object.keys(KINDS) as Kind[]) {
      bot.sync(kind, async ({ db, body, source, clock, log }) => {
        const outcome = await importMasterData(db, kind, body, 'json', { timezone: bot.config.timezone, now: clock.now() });
        if (!outcome.ok) return { accepted: false, problems: outcome.problems };
        log.info({ kind, source, rows: outcome.rows, created: outcome.created, updated: outcome.updated }, 'master data synced');
        return { accepted: true, result: { kind, rows: outcome.rows, created: outcome.created, updated: outcome.updated } };
      });
    }
  },
};
