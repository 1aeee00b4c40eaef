import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Slot {
  /** Start (ms) of the current fixed window of `ttl` ms. */
  start: number;
  /** Hits counted in the current window and in the one before it. */
  count: number;
  prev: number;
  /** Until when (ms) every hit is refused; 0 when not blocked. */
  blockedUntil: number;
  ttl: number;
}

/** How often idle keys are dropped; a key is idle once both of its windows have passed. */
const SWEEP_MS = 60_000;

/**
 * In-process rate-limit storage with O(1) work and memory per key: a sliding-window counter (the hits of the
 * current fixed window plus the previous window's hits weighted by how much of it the sliding window still
 * covers) instead of the library's list of every hit's timestamp, which is filtered on every request and grows
 * with the limit (600 timestamps per user and route at the default limit; tens of thousands in a load test).
 * Semantics otherwise match the library's in-memory storage: a hit over the limit blocks the key for
 * `blockDuration`, refused hits are not counted, and counting starts afresh when a block ends.
 * With REDIS_URL set, the Redis storage is used instead so that replicas share their counts.
 */
export class WindowThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly slots = new Map<string, Slot>();
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    // unref'd: it never keeps a process (or a test) alive
    this.sweep = setInterval(() => this.evictIdle(), SWEEP_MS);
    this.sweep.unref();
  }

  /**
   * Stops the sweep when the app closes. Unref'd is not enough: a live interval still holds this storage, and
   * through it the closed app and everything its code loaded — in a jest worker, every test file's app until the
   * worker ends (a worker that grew to ~1.2 GB then took longer than jest's 500 ms to exit: "A worker process has
   * failed to exit gracefully").
   */
  onApplicationShutdown(): void {
    clearInterval(this.sweep);
  }

  get size(): number {
    return this.slots.size;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    const id = `${throttlerName}\u0000${key}`;
    let s = this.slots.get(id);
    if (!s || s.ttl !== ttl || (s.blockedUntil && s.blockedUntil <= now)) {
      // a new key, a changed window, or a block that has run out: count from nothing
      s = { start: now, count: 0, prev: 0, blockedUntil: 0, ttl };
      this.slots.set(id, s);
    }
    if (s.blockedUntil) return this.record(s, now, s.count + 1, true);
    const windows = Math.floor((now - s.start) / ttl);
    if (windows > 0) {
      s.prev = windows === 1 ? s.count : 0;
      s.count = 0;
      s.start += windows * ttl;
    }
    const covered = 1 - (now - s.start) / ttl; // share of the previous window still inside the sliding window
    const hits = Math.floor(s.prev * covered) + s.count;
    if (hits >= limit) {
      s.blockedUntil = now + Math.max(blockDuration, 1);
      return this.record(s, now, hits + 1, true);
    }
    s.count += 1;
    return this.record(s, now, hits + 1, false);
  }

  /** Drops keys whose windows and block have all passed (they would count from nothing anyway). */
  evictIdle(now = this.now()): void {
    for (const [id, s] of this.slots) {
      if (s.blockedUntil > now) continue;
      if (s.blockedUntil || now - s.start >= 2 * s.ttl) this.slots.delete(id);
    }
  }

  private record(s: Slot, now: number, totalHits: number, isBlocked: boolean): ThrottlerStorageRecord {
    return {
      totalHits,
      timeToExpire: Math.max(1, Math.ceil((s.start + s.ttl - now) / 1000)),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.max(1, Math.ceil((s.blockedUntil - now) / 1000)) : 0,
    };
  }
}
