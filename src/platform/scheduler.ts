import os from 'node:os';
import cron, { type RunCoordinator, type ScheduledTask } from 'node-cron';
import type { Db } from '../db';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { JobContext } from '../bot/context';
import type { CronJob } from '../bot/registry';
import type { Metrics } from './metrics';
import { keyedSend } from './outbox';
import type { WecomClient } from './wecom-client';

/**
 * Lets exactly one replica run each scheduled fire: node-cron asks `shouldRun` with a key made of
 * the job name and the fire's scheduled time, and the first replica to insert that key wins.
 */
export class DbRunCoordinator implements RunCoordinator {
  readonly instance = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * The first replica to insert the fire's key runs it. A fire whose replica dies mid-run is not
   * run again by another (it cannot tell a slow run from a dead one); the job's next fire catches up.
   */
  async shouldRun(key: string): Promise<boolean> {
    // node-cron's key is `<job name>:<fire time as a 24-character ISO string>`; runJob builds the same.
    const job = key.slice(0, -25);
    const inserted = await this.db.$executeRaw`
      INSERT INTO cron_run (fire_key, job, claimed_by, claimed_at)
      VALUES (${key}, ${job}, ${this.instance}, ${this.clock.now()})
      ON CONFLICT (fire_key) DO NOTHING`;
    return inserted === 1;
  }

  async finish(key: string, error: unknown): Promise<void> {
    await this.db.cronRun.updateMany({
      where: { fireKey: key, claimedBy: this.instance },
      data: { finishedAt: this.clock.now(), status: error ? 'failed' : 'done', error: error ? String(error) : null },
    });
  }
}

export interface SchedulerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  wecom: WecomClient;
  /** Jobs get it; its `timezone` is the one the schedules run in. */
  config: Config;
  onEnqueued: () => void;
}

/** Runs the cron jobs features registered, in the chain's time zone, once per fire across replicas. */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  /** Runs in progress, so shutdown can wait for them before the database closes. */
  private readonly running = new Set<Promise<void>>();
  readonly coordinator: DbRunCoordinator;

  constructor(private readonly opts: SchedulerOptions) {
    this.coordinator = new DbRunCoordinator(opts.db, opts.clock);
  }

  start(jobs: CronJob[]): void {
    for (const job of jobs) {
      if (!cron.validate(job.schedule)) throw new Error(`cron job ${job.name}: invalid schedule "${job.schedule}"`);
      const task = cron.schedule(job.schedule, (ctx) => this.track(this.runJob(job, ctx.date)), {
        name: job.name,
        timezone: this.opts.config.timezone,
        noOverlap: true,
        distributed: true,
        runCoordinator: this.coordinator,
      });
      task.on('execution:skipped', () => this.opts.metrics.cronRuns.inc({ job: job.name, result: 'skipped' }));
      this.tasks.push(task);
    }
  }

  /** Runs one fire of a job (the scheduled path, and `admin run-job`). Errors are logged, not thrown. */
  async runJob(job: CronJob, fireTime: Date): Promise<void> {
    const { db, clock, metrics } = this.opts;
    const fireKey = `${job.name}:${fireTime.toISOString()}`;
    const log = this.opts.log.child({ job: job.name, fireTime: fireTime.toISOString() });
    let seq = 0;
    const sendKeyed = keyedSend(
      db,
      () => `cron:${fireKey}:${seq++}`,
      () => clock.now(),
    );
    const ctx: JobContext = {
      db,
      clock,
      config: this.opts.config,
      log,
      wecom: this.opts.wecom,
      fireTime,
      send: async (to, content) => {
        await sendKeyed(to, content);
        this.opts.onEnqueued();
      },
    };
    let error: unknown = null;
    try {
      await job.run(ctx);
      metrics.cronRuns.inc({ job: job.name, result: 'ran' });
    } catch (err) {
      error = err;
      metrics.cronRuns.inc({ job: job.name, result: 'failed' });
      log.error({ err }, 'cron job failed');
    }
    await this.coordinator.finish(fireKey, error).catch((err) => log.error({ err }, 'could not record the cron run'));
  }

  /** Stops scheduling, then waits for the runs in progress to finish. */
  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.destroy()));
    this.tasks.length = 0;
    await Promise.all(this.running);
  }

  private track(run: Promise<void>): Promise<void> {
    this.running.add(run);
    return run.finally(() => this.running.delete(run));
  }
}
