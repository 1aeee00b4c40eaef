import { Logger } from '@nestjs/common';
import type { JobHandler, JobOptions, JobQueue } from './job-queue';

interface Registered {
  /** Stored without its data type: the data is whatever add() was given for this name. */
  handler: JobHandler<never>;
  concurrency: number;
  running: number;
  waiting: (() => void)[];
}

/** Runs jobs in this process with retries and backoff; used when no REDIS_URL is set. */
export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, Registered>();
  private readonly seen = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private pending = 0;
  private closed = false;

  register<T>(name: string, handler: JobHandler<T>, opts?: { concurrency?: number }): void {
    this.handlers.set(name, { handler, concurrency: opts?.concurrency ?? 4, running: 0, waiting: [] });
  }

  async add<T>(name: string, data: T, opts: JobOptions = {}): Promise<void> {
    if (this.closed) return;
    const jobId = opts.jobId ?? `${name}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
    if (opts.jobId) {
      if (this.seen.has(`${name}|${jobId}`)) return;
      this.seen.add(`${name}|${jobId}`);
    }
    this.pending++;
    this.later(opts.delayMs ?? 0, () => this.run(name, data, jobId, 1, opts));
  }

  async addBulk<T>(name: string, jobs: { data: T; opts?: JobOptions }[]): Promise<void> {
    for (const j of jobs) await this.add(name, j.data, j.opts);
  }

  async every(name: string, everyMs: number): Promise<void> {
    const t = setInterval(() => {
      if (!this.closed) void this.add(name, {});
    }, everyMs);
    t.unref();
    this.timers.add(t);
  }

  async idle(timeoutMs = 30_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.pending > 0) {
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    if (ms > 1000) t.unref();
    this.timers.add(t);
  }

  private async run(name: string, data: unknown, jobId: string, attempt: number, opts: JobOptions): Promise<void> {
    const reg = this.handlers.get(name);
    if (!reg || this.closed) {
      if (!reg) this.logger.warn(`no handler for job ${name}`);
      this.pending--;
      return;
    }
    if (reg.running >= reg.concurrency) await new Promise<void>((r) => reg.waiting.push(r));
    reg.running++;
    try {
      await reg.handler(data as never, { attempt, jobId });
      this.pending--;
    } catch (err) {
      const attempts = opts.attempts ?? 3;
      if (attempt < attempts && !this.closed) {
        const delay = (opts.backoffMs ?? 1000) * 2 ** (attempt - 1);
        this.later(delay, () => this.run(name, data, jobId, attempt + 1, opts));
      } else {
        this.pending--;
        this.logger.error(`job ${name} ${jobId} failed after ${attempt} attempts: ${(err as Error).message}`);
      }
    } finally {
      reg.running--;
      reg.waiting.shift()?.();
    }
  }
}
