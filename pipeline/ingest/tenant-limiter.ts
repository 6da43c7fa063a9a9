/**
 * The per-tenant events/s limit of API Gateway's usage plan (§6), on the wall clock, with the simulator's own
 * TokenBucket (sim/token-bucket.ts): the same refill rule, here applied per request. A request is admitted whole or
 * refused whole (429). One larger than the bucket is admitted when the bucket holds a full burst, and the rest is
 * owed (tokens go negative), so the tenant's long-run rate is still the limit.
 */
import { TokenBucket } from '../../sim/token-bucket.ts';

export interface Admission {
  admitted: boolean;
  /** Whole seconds until a request of this size would be admitted (Retry-After); 0 when admitted. */
  retryAfterSeconds: number;
}

export class TenantLimiter {
  private readonly buckets = new Map<string, { bucket: TokenBucket; at: number }>();

  /** `rate` events/s per tenant and a bucket of `burst` events (one second of `rate` by default, as the model's default). */
  constructor(
    readonly rate: number,
    readonly burst: number = rate,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {}

  admit(tenant: string, events: number): Admission {
    const t = this.now();
    let entry = this.buckets.get(tenant);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.rate, this.burst), at: t };
      this.buckets.set(tenant, entry);
    }
    const { bucket } = entry;
    bucket.take(0, t - entry.at); // refill for the time elapsed, capped at the burst
    entry.at = t;
    const needed = Math.min(events, bucket.burst);
    if (bucket.tokens >= needed) {
      bucket.tokens -= events;
      return { admitted: true, retryAfterSeconds: 0 };
    }
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((needed - bucket.tokens) / bucket.rate)) };
  }
}
