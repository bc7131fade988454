import client from 'prom-client';

/** Everything /metrics exposes. One registry per app instance, so tests can run several. */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    inbound: new client.Counter({
      name: 'wecom_inbound_total',
      help: 'Callbacks received, by message type and outcome (accepted, duplicate, rejected code)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    processing: new client.Histogram({
      name: 'wecom_inbound_processing_seconds',
      help: 'Time from handler start to finish, by message type and result',
      labelNames: ['type', 'result'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    outboxSends: new client.Counter({
      name: 'outbox_sends_total',
      help: 'Outbox delivery attempts by result (sent, retry, dead, rate_limited)',
      labelNames: ['result'],
      registers: [registry],
    }),
    outboxDepth: new client.Gauge({
      name: 'outbox_depth',
      help: 'Outbox rows by status (pending, sending, dead)',
      labelNames: ['status'],
      registers: [registry],
    }),
    cronRuns: new client.Counter({
      name: 'cron_runs_total',
      help: 'Scheduled fires by job and result (ran, failed, skipped)',
      labelNames: ['job', 'result'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
