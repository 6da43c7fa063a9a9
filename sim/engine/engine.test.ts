import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.ts';
import { createRandom } from './random.ts';

describe('EventQueue', () => {
  it('runs events in time order, then priority, then scheduling order', () => {
    const q = new EventQueue();
    const log: string[] = [];
    q.schedule(5, (t) => log.push(`b@${t}`), 1);
    q.schedule(5, (t) => log.push(`a@${t}`), 0);
    q.schedule(2, (t) => log.push(`c@${t}`));
    q.schedule(5, (t) => log.push(`d@${t}`), 1);
    q.runUntil(10);
    expect(log).toEqual(['c@2', 'a@5', 'b@5', 'd@5']);
  });

  it('runs only what is due, including events that due events schedule', () => {
    const q = new EventQueue();
    const log: number[] = [];
    q.schedule(1, (t) => {
      log.push(t);
      q.schedule(t + 1, (u) => log.push(u));
      q.schedule(t + 5, (u) => log.push(u));
    });
    q.runUntil(3);
    expect(log).toEqual([1, 2]);
    expect(q.peekTime()).toBe(6);
  });

  it('refuses a non-finite time', () => {
    expect(() => new EventQueue().schedule(Number.NaN, () => {})).toThrow(/finite/);
  });
});

describe('seeded randomness', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('draws Poisson counts with the right mean and variance, small and large', () => {
    const r = createRandom(1);
    for (const lambda of [3, 1500]) {
      const n = 20_000;
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const k = r.poisson(lambda);
        sum += k;
        sq += k * k;
      }
      const mean = sum / n;
      const variance = sq / n - mean * mean;
      // Standard error of the mean is sqrt(lambda / n): 0.012 for 3, 0.27 for 1500; allow 4 of them.
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / n));
      // A Poisson variance equals its mean; 5% is well outside sampling error at n = 20,000.
      expect(variance / lambda).toBeGreaterThan(0.95);
      expect(variance / lambda).toBeLessThan(1.05);
    }
  });
});
