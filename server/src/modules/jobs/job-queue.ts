/**
 * One job interface, two engines: BullMQ on Redis when REDIS_URL is set (shared by every server
 * replica, survives restarts), an in-process runner otherwise (a single laptop or a test).
 */
export interface JobOptions {
  /** Same id twice → enqueued once (exactly-once fan-out relies on it). */
  jobId?: string;
  delayMs?: number;
  attempts?: number;
  /** First retry after this long, doubling each time. */
  backoffMs?: number;
}

export interface JobContext {
  attempt: number;
  jobId: string;
}

export type JobHandler<T = unknown> = (data: T, ctx: JobContext) => Promise<void>;

export interface JobQueue {
  readonly kind: 'bullmq' | 'in-process';
  register<T>(name: string, handler: JobHandler<T>, opts?: { concurrency?: number }): void;
  add<T>(name: string, data: T, opts?: JobOptions): Promise<void>;
  addBulk<T>(name: string, jobs: { data: T; opts?: JobOptions }[]): Promise<void>;
  /** Run `name` every `everyMs` (one schedule across all replicas on BullMQ). */
  every(name: string, everyMs: number): Promise<void>;
  /** Resolves when nothing is queued or running (tests and graceful shutdown). */
  idle(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export const JOB_QUEUE = Symbol('JOB_QUEUE');
