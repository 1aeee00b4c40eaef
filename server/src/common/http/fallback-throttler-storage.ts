import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import IORedis from 'ioredis';
import { WindowThrottlerStorage } from './window-throttler-storage';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How long a rate-limit check waits for Redis before this process counts it itself. */
export const RATE_LIMIT_REDIS_WAIT_MS = 250;
/** While Redis is away, how often that is logged. */
const WARN_EVERY_MS = 60_000;

/**
 * Rate limits shared by every server process through Redis (REDIS_URL), which never stop the API when Redis stops.
 * Every request passes the limiter, health checks too: with the library's storage on its own default connection
 * (each command retried 20 times while it reconnects), Redis down made every request wait 10–33 s and answer 500 —
 * a villager could not report, a load balancer took the server out. Now a check that Redis has not answered within
 * 250 ms (down, frozen, restarting; no command is queued while the connection is down) is counted by this process's
 * own sliding window instead: still a limit, per process rather than shared, until Redis answers again.
 */
export class FallbackThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: IORedis;
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local: WindowThrottlerStorage;
  private warnedAt = 0;

  constructor(redisUrl: string, now: () => number = Date.now) {
    this.redis = new IORedis(redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: RATE_LIMIT_REDIS_WAIT_MS,
    });
    // reported (once a minute) where a check falls back, not per reconnect attempt
    this.redis.on('error', () => undefined);
    this.shared = new ThrottlerStorageRedisService(this.redis);
    this.local = new WindowThrottlerStorage(now);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (e) {
      const now = Date.now();
      if (now - this.warnedAt >= WARN_EVERY_MS) {
        this.warnedAt = now;
        this.logger.warn(`Redis not answering (${(e as Error).message}): rate limits are counted in this process until it does`);
      }
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
    this.redis.disconnect();
  }
}
