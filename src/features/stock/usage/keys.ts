import { namespaced } from '../../../bot/keys';

/** The usage report's card button (`stock.assignReasons:<count id>`): the reasons chosen on its card. */
export const USAGE_CARDS = namespaced('stock', ['assignReasons']);

/** The usage report's refusals. */
export const USAGE_ERRORS = namespaced('stock', ['noUsagePeriod', 'skuNotInPeriod', 'unknownUsageReason', 'usageForManagers', 'usageReasonMissing']);
