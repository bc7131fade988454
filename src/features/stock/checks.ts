import type { JobContext } from '../../bot/context';
import type { BotRegistry } from '../../bot/registry';
import { SWEEP_SCHEDULE, sweepSafetyStock } from './alerts';
import { bookDeliveryFromCard, syncDeliveries } from './deliveries';
import { confirmModelReading, expireAbandonedReadings, rejectModelReading } from './model-readings';
import { CHASE_SCHEDULE, chaseLateDeliveries } from './late-deliveries';
import { answerHoldByMessage, approveLoss, cancelLoss, confirmLoss, HOLD_ANSWER, hasHoldAwaitingReason, rejectLoss } from './loss-answers';
import { expireAbandonedHolds } from './loss-expiry';
import { showPoints } from './points';
import { STOCKOUT_SCHEDULE, warnStockouts } from './stockout';
import { STOCK_CARDS } from './keys';

/**
 * The checks around stock entries: waste over the day's limit held for review; advance delivery
 * notices, filled by receipts and chased when late; the model's readings confirmed on cards; late entries and the store points they cost;
 * low-stock alerts and the morning stockout forecast. Held waste and the model's readings are
 * tasks: the engine reminds and escalates them, and once their ladder expires them they are void.
 */
export function registerStockChecks(bot: BotRegistry): void {
  bot.card(STOCK_CARDS.lossConfirm, confirmLoss);
  bot.card(STOCK_CARDS.lossCancel, cancelLoss);
  bot.card(STOCK_CARDS.lossApprove, approveLoss);
  bot.card(STOCK_CARDS.lossReject, rejectLoss);
  bot.hears(HOLD_ANSWER, answerHoldByMessage, { when: hasHoldAwaitingReason });
  bot.card(STOCK_CARDS.bookDelivery, bookDeliveryFromCard);
  bot.card(STOCK_CARDS.modelConfirm, confirmModelReading);
  bot.card(STOCK_CARDS.modelReject, rejectModelReading);
  bot.command('积分', showPoints, '门店积分：积分 S001（店长、区域经理）');
  bot.sync('deliveries', syncDeliveries);
  bot.cron('stock.chaseLateDeliveries', CHASE_SCHEDULE, chaseLateDeliveries);
  bot.cron('stock.sweepSafetyStock', SWEEP_SCHEDULE, sweepSafetyStock);
  bot.cron('stock.warnStockouts', STOCKOUT_SCHEDULE, warnStockouts);
  bot.cron('stock.expireConfirmations', EXPIRE_SCHEDULE, expireConfirmations);
}

/** Within five minutes of the walker expiring their task, holds and readings are void and their senders told. */
export const EXPIRE_SCHEDULE = '*/5 * * * *';

/** `stock.expireConfirmations`: held waste and model readings whose confirmation task expired. */
async function expireConfirmations(job: JobContext): Promise<void> {
  const now = job.clock.now();
  const holds = await expireAbandonedHolds(job.db, now, job.log);
  const readings = await expireAbandonedReadings(job.db, now, job.log);
  if (holds || readings) job.log.info({ holds, readings }, 'unconfirmed stock entries made void');
}
