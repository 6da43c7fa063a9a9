import { describe, expect, it } from 'vitest';
import { createRandom } from './engine/random.ts';
import { RateBucket } from './rate-bucket.ts';
import { SampledAdmission } from './sampled-admission.ts';

const SHARD = [1_000, 1_048_576];

/** Poisson arrival times at `perSecond` for `seconds` (seeded). */
function arrivals(perSecond: number, seconds: number, seed: string): number[] {
  const random = createRandom(seed);
  const times: number[] = [];
  for (let t = -Math.log(1 - random.next()) / perSecond; t < seconds; t += -Math.log(1 - random.next()) / perSecond) times.push(t);
  return times;
}

describe('SampledAdmission: per-second limits met by a sampled flow', () => {
  it('a shard at 60% whose arrivals stall for 2 s every 10 s (13 lumps of 100 at once) refuses none; a one-second bucket refuses 3 a stall', () => {
    const sampled = new SampledAdmission(SHARD);
    const bucket = new RateBucket(SHARD);
    let refusedSampled = 0;
    let refusedBucket = 0;
    let lumps = 0;
    for (let k = 0; k < 6 * 600; k++) {
      const due = k / 6; // 600 records/s in lumps of 100
      const inStall = due % 10 >= 8; // held back from 8 s to 10 s of every 10, then sent at once
      const at = inStall ? Math.floor(due / 10) * 10 + 10 : due;
      lumps++;
      if (!sampled.admit(at, [100, 100 * 512])) refusedSampled++;
      if (!bucket.tryTake(at, [100, 100 * 512])) refusedBucket++;
    }
    expect(lumps).toBe(3_600);
    // The bucket is full (1,000) when each stall ends: the 12 held-back lumps and the one due then land together, 10
    // pass and 3 do not, 59 times; after the last stall (at 600 s) nothing else is due, so 2. The average has decayed
    // from 600 to 600·e⁻¹ = 221 over the stall and rises to at most 221 + 13 × 50 = 871 with it: under the limit.
    expect(refusedBucket).toBe(59 * 3 + 2);
    expect(refusedSampled).toBe(0);
  });

  it('Poisson lumps of 100 at 60% of the limit for 10 minutes are refused no more than by a one-second bucket', () => {
    const times = arrivals(6, 600, 'sixty-percent');
    const sampled = new SampledAdmission(SHARD);
    const bucket = new RateBucket(SHARD);
    let refusedSampled = 0;
    let refusedBucket = 0;
    for (const t of times) {
      if (!sampled.admit(t, [100, 100 * 512])) refusedSampled++;
      if (!bucket.tryTake(t, [100, 100 * 512])) refusedBucket++;
    }
    // The average's spread with 6 lumps of 100 a second over 2 s is ±122: 1,000 is 3.3σ above 600, so very rarely.
    expect(times.length).toBeGreaterThan(3_300);
    expect(refusedSampled).toBeLessThanOrEqual(refusedBucket);
    expect(refusedSampled / times.length).toBeLessThan(0.001);
  });

  it('1,500 records/s in lumps of 100 has a third refused once the average has risen (the simulator: 500 of 1,500 each second)', () => {
    const sampled = new SampledAdmission(SHARD);
    let offered = 0;
    let admitted = 0;
    let admittedFrom10s = 0;
    for (let k = 0; k < 15 * 120; k++) {
      const t = k / 15;
      offered++;
      if (sampled.admit(t, [100, 100 * 512])) {
        admitted++;
        if (t >= 10) admittedFrom10s++;
      }
    }
    expect(offered).toBe(1_800);
    // From an idle shard the average rises as 1,500 (1 − e^(−t/2)): everything passes until it reaches 1,000 at
    // t = 2 ln 3 = 2.2 s (3,296 records where the limit is 2,197), then the share 1,000 / average lets in
    // 1,000 × 2 × ln(3/2) = 811 more: 120,000 + 1,099 + 811 = 121,910, about 1,219 lumps.
    expect(admitted).toBeGreaterThanOrEqual(1_217);
    expect(admitted).toBeLessThanOrEqual(1_221);
    // From 10 s on the average is within 1% of 1,500: two thirds of the 1,650 lumps offered, 1,100.
    expect(admittedFrom10s).toBeGreaterThanOrEqual(1_100);
    expect(admittedFrom10s).toBeLessThanOrEqual(1_102);
  });

  it('the byte limit binds when it is the tighter one: 500 records/s of 4 KiB is 2 MiB/s against 1 MiB/s, half admitted', () => {
    const sampled = new SampledAdmission(SHARD);
    let admitted = 0;
    const lumpBytes = (2 * 1_048_576) / 5; // 100 records of 4,194.3 bytes, five times a second: 2 MiB/s
    for (let k = 0; k < 5 * 60; k++) if (sampled.admit(k / 5, [100, lumpBytes])) admitted++;
    // Half of 300, plus the start: all pass until the average reaches 1 MiB/s at t = 2 ln 2 = 1.39 s (1.39 MiB over
    // the limit), then 1 MiB × 2 s × ln 2 = 1.39 MiB more: 2.77 MiB, about 7 lumps.
    expect(admitted).toBeGreaterThanOrEqual(150 + 6);
    expect(admitted).toBeLessThanOrEqual(150 + 8);
  });

  it('follows a 5× burst within a few seconds and admits the limit through it', () => {
    const sampled = new SampledAdmission(SHARD);
    let t = 0;
    for (; t < 60; t += 0.1) sampled.admit(t, [60, 0]); // 600/s
    let admitted = 0;
    let offered = 0;
    for (; t < 60 + 300; t += 0.02) {
      offered += 60; // 3,000/s
      if (sampled.admit(t, [60, 0])) admitted += 60;
    }
    // 300 s at 3,000/s offered; the limit admits 300,000; the first seconds, before the average has risen, a little more.
    expect(offered).toBeCloseTo(900_000, -3);
    expect(admitted / 300_000).toBeGreaterThan(1);
    expect(admitted / 300_000).toBeLessThan(1.02);
  });

  it('a quota raised mid-run applies at once', () => {
    const sampled = new SampledAdmission([1_000]);
    let before = 0;
    let after = 0;
    for (let k = 0; k < 300; k++) if (sampled.admit(k / 20, [100])) before++; // 2,000/s for 15 s
    sampled.limits = [3_000];
    for (let k = 300; k < 600; k++) if (sampled.admit(k / 20, [100])) after++;
    // Half of 300, plus the start, as for the byte limit: 2 × 1,000 × 2 s × ln 2 = 2,773 records (28 lumps); then all.
    expect(before).toBeGreaterThanOrEqual(150 + 27);
    expect(before).toBeLessThanOrEqual(150 + 29);
    expect(after).toBe(300);
  });
});
