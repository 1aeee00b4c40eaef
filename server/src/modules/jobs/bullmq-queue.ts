import { Logger } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import type { JobHandler, JobOptions, JobQueue } from './job-queue';

/** Settings from AppConfig: JOBS_PREFIX keeps a test run or a second deployment on one Redis apart; the lock and stalled check decide how soon a dead worker's jobs run again. */
export interface BullMqSettings {
  prefix: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/**
 * The longest a caller waits for Redis to take a job (or a schedule). Past it the command stays in the connection's
 * offline queue and runs when Redis is back, while the process lives; the caller goes on.
 */
export const HAND_OVER_MS = 2000;

/** BullMQ on Redis: jobs outlive a process, and every replica shares one queue per job name. */
export class BullMqQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private readonly logger = new Logger('Jobs');
  private warnedAt = 0;
  private redisErrorAt = 0;
  private redisErrorsHeld = 0;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  /** Workers do not close a connection they are handed, so the queue keeps and closes them itself. */
  private readonly workerConnections: IORedis[] = [];
  private readonly connection: IORedis;

  constructor(
    redisUrl: string,
    private readonly runWorkers: boolean,
    private readonly settings: BullMqSettings,
  ) {
    // maxRetriesPerRequest: null lets workers wait out a Redis restart instead of failing jobs.
    this.connection = new IORedis(redisUrl, { maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.connection.on('error', (e) => this.redisError('redis', e));
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.settings.prefix });
      q.on('error', (e) => this.redisError(`queue ${name}`, e));
      this.queues.set(name, q);
    }
    return q;
  }

  register<T>(name: string, handler: JobHandler<T>, opts?: { concurrency?: number }): void {
    this.queue(name);
    if (!this.runWorkers) return;
    const connection = this.connection.duplicate();
    connection.on('error', (e) => this.redisError(`redis (worker ${name})`, e));
    this.workerConnections.push(connection);
    const w = new Worker(name, async (job) => handler(job.data as T, { attempt: job.attemptsMade + 1, jobId: String(job.id) }), {
      connection,
      prefix: this.settings.prefix,
      concurrency: opts?.concurrency ?? 4,
      lockDuration: this.settings.lockDurationMs,
      stalledInterval: this.settings.stalledIntervalMs,
    });
    w.on('error', (e) => this.redisError(`worker ${name}`, e));
    w.on('failed', (job, err) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) this.logger.error(`job ${name} ${job.id} failed: ${err.message}`);
    });
    this.workers.push(w);
  }

  private jobOpts(o: JobOptions = {}) {
    return {
      jobId: bullJobId(o.jobId),
      delay: o.delayMs,
      attempts: o.attempts ?? 3,
      backoff: { type: 'exponential', delay: o.backoffMs ?? 1000 },
      removeOnComplete: { age: 24 * 3600, count: 10000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    };
  }

  async add<T>(name: string, data: T, opts?: JobOptions): Promise<void> {
    await this.handOver(`job ${name}`, this.queue(name).add(name, data, this.jobOpts(opts)));
  }

  async addBulk<T>(name: string, jobs: { data: T; opts?: JobOptions }[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += 500) {
      await this.handOver(
        `${Math.min(500, jobs.length - i)} jobs ${name}`,
        this.queue(name).addBulk(jobs.slice(i, i + 500).map((j) => ({ name, data: j.data, opts: this.jobOpts(j.opts) }))),
      );
    }
  }

  async every(name: string, everyMs: number): Promise<void> {
    await this.handOver(`schedule ${name}`, this.queue(name).upsertJobScheduler(`${name}:every`, { every: everyMs }, { name, data: {} }));
  }

  /**
   * An error of a connection, queue or worker: while Redis is away each of them reports every reconnect attempt
   * (measured: 1,425 lines in a 6 s outage with the server's 20-odd queues and workers), so one line per 30 s, with
   * how many were held back.
   */
  private redisError(source: string, e: Error): void {
    const now = Date.now();
    if (now - this.redisErrorAt < 30_000) {
      this.redisErrorsHeld++;
      return;
    }
    const held = this.redisErrorsHeld ? ` (and ${this.redisErrorsHeld} more Redis errors in the last 30 s)` : '';
    this.logger.warn(`${source}: ${e.message}${held}`);
    this.redisErrorAt = now;
    this.redisErrorsHeld = 0;
  }

  /**
   * Waits for Redis to take a command, at most HAND_OVER_MS. The connection queues commands while Redis is away and
   * sends them when it is back, so before this a hazard report (whose answer waits for its after-report job to be
   * queued), a publish, or the server's start (its schedules) hung for the whole outage. A command Redis refuses
   * still throws.
   */
  private async handOver(what: string, sent: Promise<unknown>): Promise<void> {
    if (await within(sent, HAND_OVER_MS)) return;
    const now = Date.now();
    if (now - this.warnedAt >= 60_000) {
      this.warnedAt = now;
      this.logger.warn(`Redis not answering: ${what} (and any after it) waits in this process until Redis is back`);
    }
    sent.catch((e: Error) => this.logger.error(`${what} not queued: ${e.message}`));
  }

  async idle(timeoutMs = 30_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    let quiet = 0;
    for (;;) {
      let busy = 0;
      for (const q of this.queues.values()) {
        // Read the states in the order a job moves through them (delayed → waiting → active), so a job that moves
        // on between two reads is still seen in the later one. Read the other way round, a delayed job promoted
        // between the reads was counted in neither, and idle() said true while it was about to run.
        // A job scheduler (every()) always keeps its next run delayed: that is not work outstanding.
        busy += (await q.getDelayed()).filter((j) => !j.repeatJobKey).length;
        const c = await q.getJobCounts('prioritized', 'waiting', 'waiting-children', 'active');
        busy += c.waiting + c.active + c.prioritized + c['waiting-children'];
      }
      // a retry moves a job backwards (active → delayed) and can slip between the reads once: idle means two quiet reads
      if (busy === 0 && quiet++ > 0) return true;
      if (busy > 0) quiet = 0;
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    // with Redis away a worker's or a queue's close waits for it (its own QUIT sits in the offline queue): bounded, and
    // the connections this class holds are dropped in any case
    await within(Promise.allSettled(this.workers.map((w) => w.close())), 3000);
    await within(Promise.allSettled([...this.queues.values()].map((q) => q.close())), 1000);
    await Promise.allSettled([...this.workerConnections, this.connection].map((c) => closeRedis(c)));
  }
}

/**
 * A job id as BullMQ takes it, one to one. BullMQ refuses a custom id with a `:` (its key separator) or one that is an
 * integer, and the callers' ids are dedupe keys of their own (`hazard:12:overdue:…:<user>` for a deadline reminder's
 * WeChat push): refused, the add threw, and the hazard reminder run stopped at its first push, every 10 minutes — on
 * BullMQ only, as the in-process queue takes any id. `%` and `:` are escaped as in a URL; an integer gets `%N` before it
 * (no escaped id starts so).
 */
export function bullJobId(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const safe = id.replace(/%/g, '%25').replace(/:/g, '%3A');
  return `${parseInt(safe, 10)}` === safe ? `%N${safe}` : safe;
}

/** Waits for `p` at most `ms`: true when it settled in time (its rejection then thrown), false when time ran out. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * QUIT (pending replies arrive first), bounded to a second; then the socket is dropped in any case,
 * so a Redis that is down or frozen cannot hold the process open.
 */
async function closeRedis(c: IORedis): Promise<void> {
  if (c.status === 'ready')
    await within(
      c.quit().catch(() => undefined),
      1000,
    );
  c.disconnect();
}
