import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthDto } from '@xiangan/shared';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Public } from '../../common/auth/decorators';
import { ReadRouter } from '../../common/db/read-router';
import { AppConfig } from '../../config/app-config';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';

/** The server package's version (package.json sits two levels above dist/modules and src/modules alike). */
const SERVER_VERSION: string = (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly ds: DataSource,
    private readonly cfg: AppConfig,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly reads: ReadRouter,
  ) {}

  /** 200 when the database answers, 503 (status `degraded`) when it does not: load balancers read this. */
  @Get()
  @Public()
  async health(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthDto> {
    let ok = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.ds.query('SELECT 1'), new Promise((_, rej) => (timer = setTimeout(() => rej(new Error('timeout')), 2000)))]);
    } catch {
      ok = false;
      res.status(503);
    } finally {
      clearTimeout(timer);
    }
    // a replica down or behind is not degraded service: the primary answers its reads
    const replicas = this.reads.enabled ? { replicas: this.reads.health() } : {};
    return {
      status: ok ? 'ok' : 'degraded',
      db: this.cfg.dbKind,
      queue: this.queue.kind === 'bullmq' ? 'bullmq' : 'in-process',
      version: SERVER_VERSION,
      ...replicas,
    };
  }
}
