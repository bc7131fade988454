import type { Feature } from '../bot/registry';

/** How long handled callbacks, delivered messages and cron records are kept. */
export const HISTORY_DAYS = 90;
export const PRUNE_SCHEDULE = '17 3 * * *';

/**
 * Keeps the pipeline's own tables small. Dedupe keys live far longer than WeCom's retry window
 * (minutes); failed and dead rows are kept for an operator to look at.
 */
export const housekeepingFeature: Feature = {
  name: 'housekeeping',
  register(bot) {
    bot.cron('platform.pruneHistory', PRUNE_SCHEDULE, async ({ db, fireTime, log }) => {
      const before = new Date(fireTime.getTime() - HISTORY_DAYS * 86_400_000);
      const inbound = await db.inboundMessage.deleteMany({ where: { status: 'done', receivedAt: { lt: before } } });
      const outbox = await db.outboxMessage.deleteMany({ where: { status: 'sent', createdAt: { lt: before } } });
      const runs = await db.cronRun.deleteMany({ where: { claimedAt: { lt: before } } });
      // A nonce only needs to outlive the sync API's freshness window.
      const nonces = await db.syncNonce.deleteMany({ where: { receivedAt: { lt: new Date(fireTime.getTime() - 86_400_000) } } });
      log.info({ inbound: inbound.count, outbox: outbox.count, cronRuns: runs.count, syncNonces: nonces.count }, 'history pruned');
    });
  },
};
