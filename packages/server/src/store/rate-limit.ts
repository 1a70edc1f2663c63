/**
 * A token bucket per caller, in memory (the SQLite store's; on PostgreSQL the buckets are rows): `perMinute` requests a minute on average, with bursts up to that many.
 * Memory is bounded by evicting the least recently seen callers.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number = () => Date.now(),
    private readonly maxCallers = 10_000,
  ) {}

  /** Like `take`, without taking: 0 when a token is there, or the seconds until there is one. */
  peek(caller: string): number {
    const bucket = this.buckets.get(caller);
    if (!bucket) return 0;
    const rate = this.perMinute / 60_000;
    const tokens = Math.min(this.perMinute, bucket.tokens + (this.clock() - bucket.at) * rate);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / rate / 1000));
  }

  /** Takes one token; returns 0 when allowed, or the seconds to wait before the next token. */
  take(caller: string, now = this.clock()): number {
    const rate = this.perMinute / 60_000;
    const bucket = this.buckets.get(caller) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    this.buckets.delete(caller);
    this.buckets.set(caller, bucket);
    if (this.buckets.size > this.maxCallers) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
  }
}
