import { describe, expect, it } from 'vitest';
import { TenantLimiter } from './tenant-limiter.ts';

describe('per-tenant events/s: the simulator token bucket, per request', () => {
  it('admits a burst, refuses what does not fit with the seconds to wait, refills at the rate', () => {
    let now = 0;
    const limiter = new TenantLimiter(200, 200, () => now);
    expect(limiter.admit('a', 150)).toEqual({ admitted: true, retryAfterSeconds: 0 }); // 50 left
    expect(limiter.admit('a', 100)).toEqual({ admitted: false, retryAfterSeconds: 1 }); // 50 short at 200/s: 0.25 s → 1
    expect(limiter.admit('b', 200).admitted).toBe(true); // tenants have their own buckets
    now = 0.25; // +50 tokens: 100
    expect(limiter.admit('a', 100).admitted).toBe(true);
    now = 10; // refills, but never past the burst
    expect(limiter.admit('a', 201)).toEqual({ admitted: true, retryAfterSeconds: 0 }); // a full bucket takes one larger request...
    expect(limiter.admit('a', 1)).toEqual({ admitted: false, retryAfterSeconds: 1 }); // ...and owes 1 token: 2 needed at 200/s
    now = 11.5; // -1 + 1.5 s × 200 = 299, capped at the burst: 200
    expect(limiter.admit('a', 200).admitted).toBe(true);
  });

  it('over a long run lets through the rate, not more', () => {
    let now = 0;
    const limiter = new TenantLimiter(100, 100, () => now);
    let admitted = 0;
    for (let i = 0; i < 10_000; i++) {
      now = i * 0.01; // a request of 5 events every 10 ms: 500 events/s offered
      if (limiter.admit('a', 5).admitted) admitted += 5;
    }
    // 100 s at 100 events/s plus the initial bucket of 100.
    expect(admitted).toBeGreaterThanOrEqual(100 * 100);
    expect(admitted).toBeLessThanOrEqual(100 * 100 + 100);
  });
});
