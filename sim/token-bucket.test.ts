import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('lets a full bucket plus one second of refill through, then only the rate', () => {
    // API Gateway's account bucket: 10,000/s with 5,000 of burst (§6).
    const b = new TokenBucket(10_000, 5_000);
    expect(b.take(20_000, 1)).toBe(15_000);
    expect(b.take(20_000, 1)).toBe(10_000);
  });

  it('keeps unused tokens only up to the burst size', () => {
    const b = new TokenBucket(100, 150);
    b.take(0, 10);
    expect(b.tokens).toBe(150);
    expect(b.take(1_000, 1)).toBe(250);
  });
});
