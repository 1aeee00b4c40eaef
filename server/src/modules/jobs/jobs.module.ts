import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { InProcessQueue } from './in-process-queue';
import { JOB_QUEUE, JobQueue } from './job-queue';

@Global()
@Module({
  providers: [
    {
      provide: JOB_QUEUE,
      inject: [AppConfig],
      // BullMQ (and ioredis under it) is loaded only when Redis is configured: every start without it is cheaper
      useFactory: async (cfg: AppConfig): Promise<JobQueue> =>
        cfg.REDIS_URL
          ? new (await import('./bullmq-queue')).BullMqQueue(cfg.REDIS_URL, cfg.JOBS_WORKER, {
              prefix: cfg.JOBS_PREFIX,
              lockDurationMs: cfg.JOBS_LOCK_MS,
              stalledIntervalMs: cfg.JOBS_STALLED_INTERVAL_MS,
            })
          : new InProcessQueue(),
    },
  ],
  exports: [JOB_QUEUE],
})
export class JobsModule implements OnApplicationShutdown {
  constructor(@Inject(JOB_QUEUE) private readonly queue: JobQueue) {}
  async onApplicationShutdown() {
    await this.queue.close();
  }
}
