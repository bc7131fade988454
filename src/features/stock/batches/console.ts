import { columns, type ConsoleSection } from '../../../console/types';
import { chainDate, daysBetween } from '../../../timezone';
import { format } from '../ledger';
import { expiringOf } from './expiring';

/**
 * 临期: the store's batches with stock left that expire within STOCK_EXPIRY_WARN_DAYS or have
 * expired, the soonest first, from the batches the booking keeps (batches.ts) — what `临期` in
 * chat lists and the morning alert told.
 */
export const expiringSection: ConsoleSection = {
  key: 'expiringBatches',
  title: '临期',
  order: 55,
  columns: columns({ sku: '编码', name: '商品', remaining: '剩余', unit: '单位', expiresOn: '到期日', daysLeft: '还剩(天)', state: ['状态', 'select'] }),
  async summary({ config }) {
    return `${config.stockChecks.expiryWarnDays} 天内到期和已过期、还有库存的批次；出库先用先到期的批次。`;
  },
  async rows({ db, clock, config, timezone }, storeCode) {
    const today = chainDate(clock.now(), timezone);
    const batches = await expiringOf(db, storeCode, today, config.stockChecks.expiryWarnDays);
    return batches.map((b) => {
      const daysLeft = daysBetween(today, b.expiresOn);
      return {
        cells: {
          sku: b.skuCode,
          name: b.skuName,
          remaining: format(b.remaining),
          unit: b.baseUnit,
          expiresOn: b.expiresOn,
          daysLeft,
          state: daysLeft < 0 ? '已过期，请报损' : '临期',
        },
      };
    });
  },
};
