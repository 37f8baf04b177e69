import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';

// Fixed-window limits from rate-limiter-flexible: in memory by default, in Redis when REDIS_URL is set so
// several API processes share one count.
export class RateLimit {
  private readonly limiter: RateLimiterAbstract;
  constructor(
    readonly name: string,
    readonly points: number,
    readonly durationSeconds: number,
    redis?: Redis,
    prefix = 'quanyi',
  ) {
    const opts = { keyPrefix: `${prefix}:rl:${name}`, points, duration: durationSeconds };
    this.limiter = redis ? new RateLimiterRedis({ ...opts, storeClient: redis }) : new RateLimiterMemory(opts);
  }

  /** Counts one hit for `key`; over the limit throws 429 `rate_limited` and sets Retry-After / RateLimit-* headers. */
  async consume(key: string, reply?: FastifyReply): Promise<void> {
    try {
      const res = await this.limiter.consume(key);
      reply?.headers(headers(this.points, res));
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      const retryAfter = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      reply?.headers({ ...headers(this.points, e), 'retry-after': String(retryAfter) });
      throw new AppError(429, 'rate_limited', 'Too many requests', `Too many requests; retry in ${retryAfter} s.`, { retry_after: retryAfter });
    }
  }

  /**
   * Takes one point up front, atomically (in memory or in Redis), for work that may turn out not to count:
   * a budget checked after the work (as a "miss" found only after a lookup) is overshot by every request
   * in flight. Over the limit: 429 with Retry-After. Headers are set only when refusing, so they describe
   * the limit the caller hit, not this budget. Give the point back with `refund` when the work succeeded.
   */
  async reserve(key: string, reply?: FastifyReply): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      const retryAfter = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      reply?.headers({ ...headers(this.points, e), 'retry-after': String(retryAfter) });
      throw new AppError(429, 'rate_limited', 'Too many requests', `Too many requests; retry in ${retryAfter} s.`, { retry_after: retryAfter });
    }
  }

  async refund(key: string, points = 1): Promise<void> {
    await this.limiter.reward(key, points).catch(() => undefined);
  }

  /** True when `key` has no points left, without counting a hit. */
  async exhausted(key: string): Promise<number | null> {
    const res = await this.limiter.get(key);
    if (res && res.consumedPoints >= this.points) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return null;
  }

  async penalty(key: string): Promise<void> {
    await this.limiter.penalty(key, 1).catch(() => undefined);
  }
}

function headers(limit: number, res: RateLimiterRes) {
  return {
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(Math.max(0, res.remainingPoints)),
    'ratelimit-reset': String(Math.ceil(res.msBeforeNext / 1000)),
  };
}
